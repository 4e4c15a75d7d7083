/**
 * The REST client (`createKubeApi`) against the in-process API server: verbs, query encoding,
 * API errors, watches and abort signals, all with real HTTP requests.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  apiErrorInfo,
  createKubeApi,
  isApiStatus,
  kubeApiFor,
  KubeApiError,
  kubeConfigAccess,
  STRATEGIC_MERGE_PATCH,
  type KubeAccess,
  type KubeApi,
} from "@kured/core";
import { startCluster, type ApiServer, type Cluster } from "@kured/testkit";
import type { V1Lease, V1Node, V1NodeList } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, sleep } from "./support.js";

let cluster: Cluster;
let api: KubeApi;
const server = (): ApiServer => cluster.server as ApiServer;
const LEASES = "/apis/coordination.k8s.io/v1/namespaces/default/leases";

beforeAll(async () => {
  cluster = await startCluster({ nodes: ["node-1", "node-2"], inProcess: true, kured: false });
  api = kubeApiFor(cluster.kubeConfig);
});
afterAll(async () => {
  await cluster?.close();
});

/** Plain access to a server without credentials. */
const plainAccess = (url: string): KubeAccess => ({
  server: url,
  source: "test",
  credentials: async () => ({ headers: {}, tls: {} }),
});

/** A watch's events and its done calls. */
function recorder<T>() {
  const events: { type: string; object: T }[] = [];
  const done: unknown[] = [];
  return {
    events,
    done,
    onEvent: (type: string, object: T) => events.push({ type, object }),
    onDone: (error: unknown) => done.push(error),
  };
}

describe("requests", () => {
  it("creates, gets, replaces, merge-patches and deletes a Lease", async () => {
    const created = await api.post<V1Lease>(LEASES, {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "lease-roundtrip" },
      spec: { holderIdentity: "a", leaseTransitions: 1 },
    });
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.spec).toEqual({ holderIdentity: "a", leaseTransitions: 1 });

    const got = await api.get<V1Lease>(`${LEASES}/lease-roundtrip`);
    expect(got.metadata?.uid).toBe(created.metadata?.uid);
    expect(got.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);

    const replaced = await api.put<V1Lease>(`${LEASES}/lease-roundtrip`, {
      ...got,
      spec: { holderIdentity: "a", leaseDurationSeconds: 30 },
    });
    expect(replaced.spec).toEqual({ holderIdentity: "a", leaseDurationSeconds: 30 });
    expect(replaced.metadata?.resourceVersion).not.toBe(got.metadata?.resourceVersion);

    // a merge patch: null removes a field, others are set, the rest stays
    const patched = await api.patch<V1Lease>(`${LEASES}/lease-roundtrip`, {
      spec: { holderIdentity: null, leaseTransitions: 4 },
    });
    expect(patched.spec).toEqual({ leaseDurationSeconds: 30, leaseTransitions: 4 });

    await api.delete(`${LEASES}/lease-roundtrip`);
    await expect(api.get(`${LEASES}/lease-roundtrip`)).rejects.toMatchObject({ code: 404 });

    // each call used its verb
    const verbs = server()
      .audit.entries({ resource: "leases", name: "lease-roundtrip" })
      .map((e) => `${e.verb} ${e.status}`);
    expect(verbs).toEqual(["get 200", "update 200", "patch 200", "delete 200", "get 404"]);
    expect(server().audit.count({ verb: "create", resource: "leases", status: 201 })).toBeGreaterThanOrEqual(1);
  });

  it("patches with a merge patch by default and with another patch type when told", async () => {
    const owner = (uid: string) => ({ apiVersion: "v1", kind: "ConfigMap", name: `owner-${uid}`, uid });
    await api.post(LEASES, { metadata: { name: "lease-patch-types", ownerReferences: [owner("a")] } });
    // ownerReferences merge by uid in a strategic merge patch, a merge patch replaces the list
    const strategic = await api.patch<V1Lease>(
      `${LEASES}/lease-patch-types`,
      { metadata: { ownerReferences: [owner("b")] } },
      { contentType: STRATEGIC_MERGE_PATCH },
    );
    expect(strategic.metadata?.ownerReferences?.map((o) => o.uid).sort()).toEqual(["a", "b"]);
    const merged = await api.patch<V1Lease>(`${LEASES}/lease-patch-types`, {
      metadata: { ownerReferences: [owner("c")] },
    });
    expect(merged.metadata?.ownerReferences?.map((o) => o.uid)).toEqual(["c"]);
    // a JSON patch, given as a string body
    const jsonPatched = await api.patch<V1Lease>(
      `${LEASES}/lease-patch-types`,
      JSON.stringify([{ op: "add", path: "/spec", value: { holderIdentity: "k" } }]),
      { contentType: "application/json-patch+json" },
    );
    expect(jsonPatched.spec).toEqual({ holderIdentity: "k" });
  });

  it("gets and patches a cluster-scoped Node", async () => {
    const patched = await api.patch<V1Node>("/api/v1/nodes/node-1", {
      metadata: { annotations: { "kured.dev/test": "patched" } },
    });
    expect(patched.metadata?.annotations?.["kured.dev/test"]).toBe("patched");
    const node = await api.get<V1Node>("/api/v1/nodes/node-1");
    expect(node.metadata?.annotations?.["kured.dev/test"]).toBe("patched");
    expect(node.metadata?.name).toBe("node-1");
  });

  it("encodes query parameters and leaves out undefined ones", async () => {
    await api.patch("/api/v1/nodes/node-2", { metadata: { labels: { "kured.dev/pool": "b" } } });
    const byLabel = await api.get<V1NodeList>("/api/v1/nodes", {
      query: { labelSelector: "kured.dev/pool in (a, b),!kured.dev/skip", continue: undefined },
    });
    expect(byLabel.items.map((n) => n.metadata?.name)).toEqual(["node-2"]);
    const sent = server().audit.entries({ verb: "list", resource: "nodes" }).at(-1)?.path ?? "";
    expect(sent).toContain("labelSelector=kured.dev%2Fpool+in+%28a%2C+b%29%2C%21kured.dev%2Fskip");
    expect(sent).not.toContain("continue");
    // the API server's audit log names the client
    expect(server().audit.entries({ verb: "list", resource: "nodes" }).at(-1)?.userAgent).toMatch(
      /^kured-ts\/\d+\.\d+\.\d+ \(node \d+/,
    );

    const byField = await api.get<V1NodeList>("/api/v1/nodes", { query: { fieldSelector: "metadata.name=node-1" } });
    expect(byField.items.map((n) => n.metadata?.name)).toEqual(["node-1"]);
    expect(server().audit.entries({ verb: "list", resource: "nodes" }).at(-1)?.path).toBe(
      "/api/v1/nodes?fieldSelector=metadata.name%3Dnode-1",
    );

    // numbers are sent as such: one page at a time
    const first = await api.get<V1NodeList>("/api/v1/nodes", { query: { limit: 1 } });
    expect(first.items).toHaveLength(1);
    const token = first.metadata?._continue ?? (first.metadata as { continue?: string } | undefined)?.continue;
    expect(token).toBeTruthy();
    const second = await api.get<V1NodeList>("/api/v1/nodes", { query: { limit: 1, continue: token } });
    expect(second.items.map((n) => n.metadata?.name)).not.toEqual(first.items.map((n) => n.metadata?.name));
  });

  it("answers a missing object with a KubeApiError 404 NotFound naming method and path", async () => {
    const error = await api.get("/api/v1/nodes/no-such-node").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    const e = error as KubeApiError;
    expect(e.code).toBe(404);
    expect(e.statusCode).toBe(404);
    expect(e.reason).toBe("NotFound");
    expect(e.name).toBe("KubeApiError");
    expect(e.message).toMatch(/^GET \/api\/v1\/nodes\/no-such-node: HTTP 404: NotFound: .*no-such-node/);
    expect(String(e)).toMatch(/^KubeApiError: GET \/api\/v1\/nodes\/no-such-node: HTTP 404/);
    expect(JSON.parse(e.body)).toMatchObject({ kind: "Status", code: 404, reason: "NotFound" });
    expect(apiErrorInfo(e)).toEqual({
      code: 404,
      reason: "NotFound",
      message: expect.stringContaining('"no-such-node" not found'),
    });
    expect(isApiStatus(e, 404)).toBe(true);

    const del = await api.delete(`${LEASES}/no-such-lease`).catch((x: unknown) => x);
    expect(del).toBeInstanceOf(KubeApiError);
    expect((del as Error).message).toBe(
      `DELETE ${LEASES}/no-such-lease: HTTP 404: NotFound: leases.coordination.k8s.io "no-such-lease" not found`,
    );
  });

  it("answers a PUT with a stale resourceVersion with a 409 Conflict", async () => {
    const created = await api.post<V1Lease>(LEASES, {
      metadata: { name: "lease-conflict" },
      spec: { holderIdentity: "1" },
    });
    await api.patch(`${LEASES}/lease-conflict`, { spec: { holderIdentity: "2" } });
    const error = await api
      .put(`${LEASES}/lease-conflict`, { ...created, spec: { holderIdentity: "stale" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error).toMatchObject({ code: 409, reason: "Conflict" });
    expect((error as Error).message).toMatch(
      /^PUT \/apis\/coordination.k8s.io\/v1\/namespaces\/default\/leases\/lease-conflict: HTTP 409/,
    );
    expect(apiErrorInfo(error)).toMatchObject({ code: 409, reason: "Conflict" });
    expect((await api.get<V1Lease>(`${LEASES}/lease-conflict`)).spec).toEqual({ holderIdentity: "2" });
    // creating it again: 409 AlreadyExists
    const again = await api.post(LEASES, { metadata: { name: "lease-conflict" } }).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 409, reason: "AlreadyExists" });
  });

  it("makes one client per KubeConfig", () => {
    expect(kubeApiFor(cluster.kubeConfig)).toBe(api);
    expect(api.server).toBe(cluster.url);
    const other = server().toKubeConfig();
    expect(kubeApiFor(other)).not.toBe(api);
  });

  it("rejects a URL that is neither http nor https", () => {
    expect(() => createKubeApi(plainAccess("ftp://127.0.0.1:21"))).toThrow(/unsupported API server URL/);
  });
});

describe("requests to a server of the test's own", () => {
  let raw: Server;
  let rawUrl: string;
  const seen: string[] = [];
  beforeAll(async () => {
    raw = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const path = (req.url ?? "").split("?")[0];
      if (path?.endsWith("/empty")) {
        res.writeHead(200).end();
      } else if (path?.endsWith("/stall")) {
        // headers and part of the body, then nothing
        res.writeHead(200, { "Content-Type": "application/json" });
        res.write('{"kind":');
      } else if (path?.endsWith("/text-error")) {
        res.writeHead(502, { "Content-Type": "text/plain" }).end("bad gateway");
      } else {
        res.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true}');
      }
    });
    await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", () => resolve()));
    rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    raw.closeAllConnections();
    await new Promise((resolve) => raw.close(resolve));
  });

  it("keeps the path of the server URL as a prefix", async () => {
    const prefixed = createKubeApi(plainAccess(`${rawUrl}/k8s/clusters/c-1/`));
    await expect(prefixed.get("/api/v1/nodes/x", { query: { a: "b c" } })).resolves.toEqual({ ok: true });
    expect(seen.at(-1)).toBe("GET /k8s/clusters/c-1/api/v1/nodes/x?a=b+c");
  });

  it("resolves an empty 2xx body as undefined and reports a non-Status error body", async () => {
    const client = createKubeApi(plainAccess(rawUrl));
    await expect(client.delete("/empty")).resolves.toBeUndefined();
    const error = await client.get("/text-error").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error).toMatchObject({ code: 502, body: "bad gateway", reason: undefined });
    expect((error as Error).message).toBe("GET /text-error: HTTP 502");
    expect(apiErrorInfo(error)).toEqual({ code: 502, message: "bad gateway" });
  });

  it("rejects promptly when aborted while the body streams", async () => {
    const client = createKubeApi(plainAccess(rawUrl));
    const controller = new AbortController();
    const started = Date.now();
    const pending = client.get("/stall", { signal: controller.signal }).catch((e: unknown) => e);
    await eventually(() => seen.at(-1) === "GET /stall");
    await sleep(20);
    controller.abort();
    // the same rejection as an abort before the headers: the abort, not "the response was cut off"
    expect(await pending).toMatchObject({ name: "AbortError" });
    expect(Date.now() - started).toBeLessThan(2_000);

    const stop = new AbortController();
    const reason = new Error("shutting down");
    const count = seen.length;
    const again = client.get("/stall", { signal: stop.signal }).catch((e: unknown) => e);
    await eventually(() => seen.length > count);
    await sleep(20);
    stop.abort(reason);
    expect(await again).toBe(reason);
  });
});

describe("watch", () => {
  it("delivers ADDED, then MODIFIED after a patch, and ends once with null when aborted", async () => {
    const r = recorder<V1Lease>();
    const controller = await api.watch<V1Lease>(
      LEASES,
      { fieldSelector: "metadata.name=lease-watch" },
      r.onEvent,
      r.onDone,
    );
    expect(controller).toBeInstanceOf(AbortController);
    const watchEntry = server().audit.entries({ verb: "watch", resource: "leases" }).at(-1);
    expect(watchEntry?.path).toBe(`${LEASES}?fieldSelector=metadata.name%3Dlease-watch&watch=true`);

    await api.post(LEASES, { metadata: { name: "lease-other" } }); // not selected
    await api.post(LEASES, { metadata: { name: "lease-watch" }, spec: { holderIdentity: "1" } });
    await api.patch(`${LEASES}/lease-watch`, { spec: { holderIdentity: "2" } });
    await eventually(() => r.events.length >= 2);
    expect(r.events.map((e) => `${e.type} ${e.object.metadata?.name} ${e.object.spec?.holderIdentity}`)).toEqual([
      "ADDED lease-watch 1",
      "MODIFIED lease-watch 2",
    ]);
    expect(r.done).toEqual([]);

    controller.abort();
    expect(r.done).toEqual([null]);
    await api.patch(`${LEASES}/lease-watch`, { spec: { holderIdentity: "3" } });
    await sleep(50);
    expect(r.done).toEqual([null]);
    expect(r.events).toHaveLength(2);
  });

  it("tells the client that a too-old resourceVersion is gone (410)", async () => {
    await api.post(LEASES, { metadata: { name: "lease-before-compaction" } });
    server().store.compact();
    const r = recorder<{ code?: number; reason?: string }>();
    await api.watch(LEASES, { resourceVersion: "1" }, r.onEvent, r.onDone);
    await eventually(() => r.done.length > 0);
    // the API server answers either way; a client must be able to tell "gone" from either
    const doneError = r.done[0] as { statusCode?: number } | null;
    const goneEvent = r.events.find((e) => e.type === "ERROR" && e.object.code === 410);
    expect(goneEvent !== undefined || doneError?.statusCode === 410).toBe(true);
    expect(r.events.filter((e) => e.type !== "ERROR")).toEqual([]);
    await sleep(20);
    expect(r.done).toHaveLength(1);
    // what the in-process server does, as kube-apiserver: a 200 stream with one ERROR event
    expect(r.events).toEqual([{ type: "ERROR", object: expect.objectContaining({ code: 410, reason: "Expired" }) }]);
  });

  it("ends a watch of a path the server does not serve via done with a 404 KubeApiError", async () => {
    const r = recorder();
    const watching = api.watch("/api/v1/nothings", {}, r.onEvent, r.onDone);
    await expect(watching).resolves.toBeInstanceOf(AbortController);
    await eventually(() => r.done.length > 0);
    expect(r.done).toHaveLength(1);
    const error = r.done[0];
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error).toMatchObject({ code: 404, statusCode: 404, reason: "NotFound" });
    expect((error as Error).message).toMatch(/^GET \/api\/v1\/nothings: HTTP 404/);
    expect(r.events).toEqual([]);
  });

  it("ends a watch RBAC forbids via done with a 403 KubeApiError", async () => {
    server().addToken("kube-api-test-nobody", "nobody");
    server().rbacEnabled = true;
    try {
      const nobody = createKubeApi(kubeConfigAccess(server().toKubeConfig({ token: "kube-api-test-nobody" })));
      const r = recorder();
      await expect(nobody.watch("/api/v1/nodes", {}, r.onEvent, r.onDone)).resolves.toBeInstanceOf(AbortController);
      await eventually(() => r.done.length > 0);
      expect(r.done).toHaveLength(1);
      expect(r.done[0]).toBeInstanceOf(KubeApiError);
      expect(r.done[0]).toMatchObject({ statusCode: 403, reason: "Forbidden" });
      expect(server().audit.entries({ verb: "watch", resource: "nodes", user: "nobody" }).at(-1)?.status).toBe(403);
    } finally {
      server().rbacEnabled = false;
    }
  });

  it("ends via done with the error when the connection fails", async () => {
    const fault = server().faults.add({ resource: "leases", verb: "watch", drop: true, times: 1 });
    try {
      const r = recorder();
      await expect(api.watch(LEASES, {}, r.onEvent, r.onDone)).resolves.toBeInstanceOf(AbortController);
      await eventually(() => r.done.length > 0);
      expect(fault.fired).toBe(1);
      expect(r.done).toHaveLength(1);
      expect(r.done[0]).toBeInstanceOf(Error);
      expect(r.done[0]).not.toBeInstanceOf(KubeApiError);
    } finally {
      fault.remove();
    }

    // nobody listening at all
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const r = recorder();
    await createKubeApi(plainAccess(`http://127.0.0.1:${port}`)).watch("/api/v1/nodes", {}, r.onEvent, r.onDone);
    await eventually(() => r.done.length > 0);
    expect(r.done).toHaveLength(1);
    expect(r.done[0]).toMatchObject({ code: "ECONNREFUSED" });
  });

  it("ends via done when the API server closes", async () => {
    const own = await startCluster({ nodes: ["node-1"], inProcess: true, kured: false });
    try {
      const client = createKubeApi(kubeConfigAccess(own.kubeConfig));
      const r = recorder<V1Node>();
      await client.watch<V1Node>("/api/v1/nodes", {}, r.onEvent, r.onDone);
      await eventually(() => r.events.length > 0);
      expect(r.events[0]).toMatchObject({ type: "ADDED", object: { metadata: { name: "node-1" } } });
      await own.close();
      await eventually(() => r.done.length > 0);
      await sleep(20);
      expect(r.done).toHaveLength(1);
      expect(r.done[0]).not.toBeInstanceOf(KubeApiError);
    } finally {
      await own.close();
    }
  });
});

describe("abort signals", () => {
  it("rejects with an already aborted signal, sending nothing", async () => {
    const before = server().audit.count();
    const error = await api.get("/api/v1/nodes/node-1", { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "AbortError" });
    const reason = new Error("stop it");
    await expect(
      api.patch("/api/v1/nodes/node-1", { metadata: {} }, { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
    await sleep(30);
    expect(server().audit.count()).toBe(before);
  });

  it("rejects promptly when aborted while the server has not answered", async () => {
    const fault = server().faults.add({ resource: "nodes", verb: "get", name: "node-2", latencyMs: 10_000, times: 1 });
    try {
      const controller = new AbortController();
      const started = Date.now();
      const pending = api.get("/api/v1/nodes/node-2", { signal: controller.signal }).catch((e: unknown) => e);
      await eventually(() => fault.fired === 1);
      controller.abort();
      const error = await pending;
      expect(error).toMatchObject({ name: "AbortError" });
      expect(Date.now() - started).toBeLessThan(2_000);
      // the client still works afterwards
      await expect(api.get<V1Node>("/api/v1/nodes/node-2")).resolves.toMatchObject({ metadata: { name: "node-2" } });
    } finally {
      fault.remove();
    }
  });
});
