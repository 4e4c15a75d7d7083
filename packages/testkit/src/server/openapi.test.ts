/**
 * The served OpenAPI documents (/openapi/v2, the /openapi/v3 index and its per-group-version
 * documents) and server-side field validation (`?fieldValidation=Strict|Warn|Ignore`), over HTTP.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { startCluster, type Cluster } from "../cluster/start-cluster.js";
import { startApiServer, type ApiServer } from "./api-server.js";
import { checkFields } from "./openapi.js";
import { apiVersionOf, findResourceByKind, RESOURCE_TYPES } from "./resources.js";
import { isJsonObject } from "./types.js";

type Json = Record<string, unknown>;

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer();
});
afterAll(async () => {
  await server?.close();
});

async function get(path: string, accept = "application/json"): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${server.url}${path}`, { headers: { Accept: accept } });
  return { status: res.status, body: (await res.json()) as Json };
}

async function send(
  method: string,
  path: string,
  body: unknown,
  contentType = "application/json",
): Promise<{ status: number; body: Json; warnings: string | null }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { "Content-Type": contentType, Accept: "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json, warnings: res.headers.get("warning") };
}

/** Every `$ref` in a document. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (isJsonObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

const gvPathOf = (apiVersion: string): string =>
  apiVersion.includes("/") ? `apis/${apiVersion}` : `api/${apiVersion}`;

describe("/openapi/v3", () => {
  it("lists one document per served group version, each fetchable at its serverRelativeURL", async () => {
    const index = await get("/openapi/v3");
    expect(index.status).toBe(200);
    const paths = index.body.paths as Record<string, { serverRelativeURL: string }>;
    const expected = [...new Set(RESOURCE_TYPES.map((t) => gvPathOf(apiVersionOf(t))))].sort();
    expect(Object.keys(paths).sort()).toEqual(expected);
    for (const [gv, entry] of Object.entries(paths)) {
      expect(entry.serverRelativeURL).toMatch(new RegExp(`^/openapi/v3/${gv}\\?hash=[0-9A-F]{128}$`));
      const doc = await get(entry.serverRelativeURL);
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toBe("3.0.0");
    }
    expect((await get("/openapi/v3/apis/example.com/v1")).status).toBe(404);
  });

  it("defines every served kind with its group-version-kind, and every $ref resolves in its document", async () => {
    for (const t of RESOURCE_TYPES) {
      const doc = (await get(`/openapi/v3/${gvPathOf(apiVersionOf(t))}`)).body;
      const schemas = (doc.components as { schemas: Record<string, Json> }).schemas;
      const kinds = Object.values(schemas).flatMap(
        (s) => (s["x-kubernetes-group-version-kind"] as { group: string; version: string; kind: string }[]) ?? [],
      );
      expect(kinds).toContainEqual({ group: t.group, version: t.version, kind: t.kind });
      expect(kinds).toContainEqual({ group: t.group, version: t.version, kind: `${t.kind}List` });
      for (const r of refs(doc)) {
        expect(r).toMatch(/^#\/components\/schemas\//);
        expect(schemas[r.slice("#/components/schemas/".length)], r).toBeDefined();
      }
    }
  });

  it("offers fieldValidation on every PATCH, so kubectl leaves validation to the server", async () => {
    const doc = (await get("/openapi/v3/apis/apps/v1")).body;
    const paths = doc.paths as Record<string, Record<string, Json>>;
    const patch = paths["/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}"]?.patch as Json;
    expect(patch["x-kubernetes-group-version-kind"]).toEqual({ group: "apps", version: "v1", kind: "DaemonSet" });
    expect(patch.operationId).toBe("patchAppsV1NamespacedDaemonSet");
    expect((patch.parameters as { name: string }[]).map((p) => p.name)).toContain("fieldValidation");
    for (const t of RESOURCE_TYPES) {
      const gvDoc = (await get(`/openapi/v3/${gvPathOf(apiVersionOf(t))}`)).body;
      const patches = Object.values(gvDoc.paths as Record<string, Record<string, Json>>)
        .map((item) => item.patch)
        .filter((op): op is Json => op !== undefined)
        .filter((op) => (op["x-kubernetes-group-version-kind"] as Json).kind === t.kind);
      expect(patches.length, t.kind).toBeGreaterThan(0);
      for (const op of patches) {
        expect((op.parameters as { name: string }[]).map((p) => p.name)).toContain("fieldValidation");
      }
    }
  });

  it("lets a document fetched by its current hash be cached for good, and redirects a stale hash", async () => {
    const index = await get("/openapi/v3");
    const url = (index.body.paths as Record<string, { serverRelativeURL: string }>)["apis/apps/v1"]?.serverRelativeURL;
    const hash = url?.split("hash=")[1] as string;
    const current = await fetch(`${server.url}${url}`, { headers: { Accept: "application/json" } });
    expect(current.headers.get("cache-control")).toBe("public, immutable");
    expect(current.headers.get("etag")).toBe(`"${hash}"`);
    expect(Date.parse(current.headers.get("expires") ?? "")).toBeGreaterThan(Date.now() + 364 * 24 * 3600 * 1000);
    const unhashed = await fetch(`${server.url}/openapi/v3/apis/apps/v1`, { headers: { Accept: "application/json" } });
    expect(unhashed.headers.get("cache-control")).toBe("no-cache, private");
    expect(unhashed.headers.get("etag")).toBe(`"${hash}"`);
    const stale = await fetch(`${server.url}/openapi/v3/apis/apps/v1?hash=0123`, { redirect: "manual" });
    expect(stale.status).toBe(301);
    expect(stale.headers.get("location")).toBe(url);
  });

  it("answers an Accept it cannot produce with 406 NotAcceptable", async () => {
    const r = await get("/openapi/v3/api/v1", "application/com.github.proto-openapi.spec.v3@v1.0+protobuf");
    expect(r.status).toBe(406);
    expect(r.body).toMatchObject({ kind: "Status", reason: "NotAcceptable", code: 406 });
  });
});

describe("/openapi/v2", () => {
  it("serves Swagger 2.0 JSON with a definition per served kind", async () => {
    const r = await get("/openapi/v2");
    expect(r.status).toBe(200);
    expect(r.body.swagger).toBe("2.0");
    const definitions = r.body.definitions as Record<string, Json>;
    expect(definitions["io.k8s.api.apps.v1.DaemonSet"]?.["x-kubernetes-group-version-kind"]).toEqual([
      { group: "apps", version: "v1", kind: "DaemonSet" },
    ]);
    for (const ref of refs(r.body)) expect(definitions[ref.slice("#/definitions/".length)], ref).toBeDefined();
  });

  it("is JSON when JSON is among the accepted types, 406 when only protobuf is (kubectl then uses its built-in types)", async () => {
    const proto = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
    expect((await get("/openapi/v2", `${proto}, application/json`)).status).toBe(200);
    expect((await get("/openapi/v2", "*/*")).status).toBe(200);
    const refused = await get("/openapi/v2", proto);
    expect(refused.status).toBe(406);
    expect(refused.body.message).toBe("only the following media types are accepted: application/json");
  });
});

describe("field validation", () => {
  const cm = (extra: Json = {}): Json => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `cm-${Math.random().toString(36).slice(2, 8)}`, namespace: "default" },
    data: { a: "b" },
    ...extra,
  });

  it("Strict fails unknown fields (in the order met) with kube-apiserver's 400 and stores nothing", async () => {
    const body = cm({ datta: { a: "b" }, metadata: { name: "strict", namespace: "default", labls: { a: "b" } } });
    const r = await send("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", body);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      reason: "BadRequest",
      message:
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "metadata.labls", unknown field "datta"',
    });
    expect((await get("/api/v1/namespaces/default/configmaps/strict")).status).toBe(404);
  });

  it("fails a value of the wrong JSON type whatever fieldValidation says (a decode error), naming the Go field", async () => {
    const ds = {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "typed", namespace: "default" },
      spec: { revisionHistoryLimit: "ten", selector: {}, template: { spec: { containers: [] } } },
    };
    for (const query of ["", "?fieldValidation=Strict", "?fieldValidation=Warn", "?fieldValidation=Ignore"]) {
      const r = await send("POST", `/apis/apps/v1/namespaces/default/daemonsets${query}`, ds);
      expect(r.status).toBe(400);
      expect(r.body.message).toBe(
        'DaemonSet in version "v1" cannot be handled as a DaemonSet: json: cannot unmarshal string into Go struct field DaemonSetSpec.spec.revisionHistoryLimit of type int32',
      );
    }
    const port = { containerPort: "8080" };
    const pod = { metadata: { name: "typed" }, spec: { containers: [{ name: "c", image: "i", ports: [port] }] } };
    const r = await send("POST", "/api/v1/namespaces/default/pods", pod);
    // as Go's encoding/json names it: field names only, no list indices
    expect(r.body.message).toBe(
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    );
  });

  it("Warn, the default, stores the object and names each unknown field in a Warning header", async () => {
    for (const query of ["", "?fieldValidation=Warn"]) {
      const r = await send("POST", `/api/v1/namespaces/default/configmaps${query}`, cm({ datta: {} }));
      expect(r.status).toBe(201);
      expect(r.warnings).toBe('299 - "unknown field \\"datta\\""');
    }
    const clean = await send("POST", "/api/v1/namespaces/default/configmaps", cm());
    expect(clean.warnings).toBeNull();
    const ignored = await send("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Ignore", cm({ x: 1 }));
    expect(ignored.status).toBe(201);
    expect(ignored.warnings).toBeNull();
  });

  it("checks merge and strategic merge patches, allowing the strategic directives", async () => {
    const created = await send("POST", "/api/v1/namespaces/default/configmaps", cm());
    const name = (created.body.metadata as { name: string }).name;
    const path = `/api/v1/namespaces/default/configmaps/${name}?fieldValidation=Strict`;
    const bad = await send("PATCH", path, { dataa: { c: "d" } }, "application/merge-patch+json");
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('strict decoding error: unknown field "dataa"');
    const ok = await send(
      "PATCH",
      path,
      { $patch: "merge", data: { c: "d" }, metadata: { $setElementOrder: null } },
      "application/strategic-merge-patch+json",
    );
    expect(ok.status).toBe(200);
    expect(ok.body.data).toEqual({ a: "b", c: "d" });
  });

  it("answers a body of another kind with the kind mismatch, not with its fields", async () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [] } };
    const r = await send("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", pod);
    expect(r.status).toBe(400);
    expect(r.body.message).toBe("the server could not find the requested resource: kind Pod does not match ConfigMap");
  });

  it("checks updates (PUT) too", async () => {
    const created = await send("POST", "/api/v1/namespaces/default/configmaps", cm());
    const meta = created.body.metadata as { name: string };
    const r = await send("PUT", `/api/v1/namespaces/default/configmaps/${meta.name}?fieldValidation=Strict`, {
      ...created.body,
      immutible: true,
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('unknown field "immutible"');
  });
});

describe("the schemas know every field that testkit and the shipped manifests write", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, inProcess: true });
    await cluster.createDeployment({ name: "web", replicas: 2, emptyDir: true, pdb: { minAvailable: 1 } });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("every stored object of a started cluster has no unknown field", () => {
    const store = cluster.server as ApiServer;
    let checked = 0;
    for (const t of RESOURCE_TYPES) {
      if (t.group === "events.k8s.io") continue; // shares core events' storage
      for (const obj of store.registry.list(t, undefined, {}).items) {
        expect(checkFields(t, { ...obj, apiVersion: apiVersionOf(t), kind: t.kind }), `${t.kind}`).toEqual({
          unknown: [],
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it.each(["deploy/kured-ds.yaml", "deploy/kured-ds-signal.yaml", "deploy/kured-rbac.yaml"])(
    "%s has no unknown field",
    (file) => {
      const text = readFileSync(fileURLToPath(new URL(`../../../../${file}`, import.meta.url)), "utf8");
      const objects = parseAllDocuments(text)
        .map((d) => d.toJS() as Json | null)
        .filter((o): o is Json => o !== null);
      expect(objects.length).toBeGreaterThan(0);
      for (const obj of objects) {
        const t = findResourceByKind(String(obj.apiVersion), String(obj.kind));
        expect(t, `${String(obj.kind)} is served`).toBeDefined();
        if (t) expect(checkFields(t, obj)).toEqual({ unknown: [] });
      }
    },
  );
});
