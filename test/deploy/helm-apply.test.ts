/**
 * The rendered Helm chart, applied by the real kubectl 1.35 (validation on, as an operator runs
 * it: kubectl reads the server's OpenAPI and asks for strict field validation) to testkit's
 * in-process API server: `helm template deploy/helm/kured` with the chart's own values, kured's
 * chart values.yaml, a file setting every key of kured's chart and kured-ts's values. Every object
 * is created without a warning, reads back as rendered (the DaemonSet's args and env included),
 * and a second apply changes nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startApiServer, type ApiServer } from "@kured/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { CHART, daemonSet, FIXTURES, helm, parseObjects, type Manifest } from "./support/chart.js";
import { kubectl, type KubectlResult } from "./support/kubectl.js";

const NAMESPACE = "kube-system";

interface Case {
  title: string;
  values: string[];
  /**
   * Kinds left out of the applied file, with the reason: a Kubernetes 1.32 API server (which the
   * in-process one is) serves neither the prometheus-operator CRDs unless they are installed, nor
   * policy/v1beta1 PodSecurityPolicy (removed in 1.25), so kubectl would stop at them there too.
   */
  drop?: string[];
}

const CASES: Case[] = [
  { title: "the chart's own values", values: [] },
  { title: "kured's chart values.yaml unchanged", values: ["upstream-values.yaml"] },
  {
    title: "every key of kured's chart set",
    values: ["every-upstream-key.yaml"],
    drop: ["PodSecurityPolicy", "ServiceMonitor"],
  },
  { title: "kured-ts's own values", values: ["kured-ts-values.yaml"], drop: ["PodMonitor", "PrometheusRule"] },
];

/** `helm template kured deploy/helm/kured -n kube-system`, with values files and --set values. */
function render(values: string[], set: string[] = []): string {
  const args = ["template", "kured", CHART, "--namespace", NAMESPACE];
  for (const file of values) args.push("--values", `${FIXTURES}/${file}`);
  for (const value of set) args.push("--set", value);
  return helm(args);
}

/** helm's output without the documents of the dropped kinds (the rest byte for byte). */
function without(text: string, drop: string[]): string {
  if (drop.length === 0) return text;
  return parseAllDocuments(text)
    .filter((doc) => {
      const obj = doc.toJS() as Manifest | null;
      return obj !== null && !drop.includes(obj.kind);
    })
    .map((doc) => doc.toString())
    .join("---\n");
}

/** `daemonset.apps/kured`, `serviceaccount/kured`: how kubectl names an object. */
function kubectlName(o: Manifest): string {
  const group = o.apiVersion.includes("/") ? `.${o.apiVersion.split("/")[0] as string}` : "";
  return `${o.kind.toLowerCase()}${group}/${o.metadata.name}`;
}

function lines(objects: Manifest[], verb: string): string {
  return objects.map((o) => `${kubectlName(o)} ${verb}\n`).join("");
}

describe.each(CASES)("kubectl apply -f of the chart rendered with $title", ({ values, drop = [] }) => {
  let server: ApiServer;
  let dir: string;
  let file: string;
  let objects: Manifest[];
  let applied: KubectlResult;
  const run = (...args: string[]): Promise<KubectlResult> => kubectl(dir, join(dir, "kubeconfig"), args);

  beforeAll(async () => {
    server = await startApiServer();
    dir = mkdtempSync(join(tmpdir(), "kured-helm-apply-"));
    await server.writeKubeconfig(join(dir, "kubeconfig"));
    const text = without(render(values), drop);
    objects = parseObjects(text);
    file = join(dir, "rendered.yaml");
    writeFileSync(file, text);
    // the namespaces the release's objects live in, beyond the ones every cluster has
    const have = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);
    for (const ns of new Set(objects.map((o) => o.metadata.namespace).filter((n): n is string => !!n))) {
      // (not `kubectl create namespace`: it sends protobuf, which the in-process server does not read)
      if (!have.has(ns)) server.apply([{ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }]);
    }
    applied = await run("apply", "-f", file);
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("creates every rendered object, validation on, without a warning", () => {
    expect(objects.map((o) => o.kind)).toContain("DaemonSet");
    expect(objects.map((o) => o.kind)).toContain("ServiceAccount");
    expect(applied.stderr).toBe("");
    expect(applied.stdout).toBe(lines(objects, "created"));
    expect(applied.code).toBe(0);
  });

  it("reads every object back from the server as rendered", async () => {
    const got = await run("get", "-f", file, "-o", "json");
    expect(got.code).toBe(0);
    const items = (JSON.parse(got.stdout) as { items: Manifest[] }).items;
    expect(items.map((o) => kubectlName(o))).toEqual(objects.map((o) => kubectlName(o)));
    items.forEach((item, i) => {
      const rendered = objects[i] as Manifest;
      const { metadata, ...rest } = rendered;
      expect(item).toMatchObject(rest);
      expect(item.metadata).toMatchObject({ ...metadata, annotations: expect.any(Object) as unknown });
      expect(item.metadata.annotations).toMatchObject(metadata.annotations ?? {});
      expect(item.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"]).toBeDefined();
    });
  });

  it("runs the DaemonSet with the rendered args and env", async () => {
    const { ds, container } = daemonSet(objects);
    const jsonpath = (expr: string): Promise<KubectlResult> =>
      run("get", "daemonset", ds.metadata.name, "-n", NAMESPACE, "-o", `jsonpath={${expr}}`);
    const args = await jsonpath(".spec.template.spec.containers[0].args");
    expect(JSON.parse(args.stdout)).toEqual(container.args);
    const env = await jsonpath(".spec.template.spec.containers[0].env");
    expect(JSON.parse(env.stdout)).toEqual(container.env);
    expect((await jsonpath(".spec.template.spec.containers[0].name")).stdout).toBe("kured");
  });

  it("a second apply leaves every object unchanged", async () => {
    const again = await run("apply", "-f", file);
    expect(again.stderr).toBe("");
    expect(again.stdout).toBe(lines(objects, "unchanged"));
  });
});

describe("kubectl apply -f of a changed rendering", () => {
  let server: ApiServer;
  let dir: string;
  const run = (...args: string[]): Promise<KubectlResult> => kubectl(dir, join(dir, "kubeconfig"), args);

  beforeAll(async () => {
    server = await startApiServer();
    dir = mkdtempSync(join(tmpdir(), "kured-helm-apply-"));
    await server.writeKubeconfig(join(dir, "kubeconfig"));
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("configures only the DaemonSet, whose args change; extraArgs false renders --key=false", async () => {
    const first = join(dir, "first.yaml");
    writeFileSync(first, render([]));
    expect((await run("apply", "-f", first)).code).toBe(0);
    const second = join(dir, "second.yaml");
    const text = render([], ["configuration.period=2h", "extraArgs.annotate-nodes=false"]);
    writeFileSync(second, text);
    const objects = parseObjects(text);
    const r = await run("apply", "-f", second);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(
      objects.map((o) => `${kubectlName(o)} ${o.kind === "DaemonSet" ? "configured" : "unchanged"}\n`).join(""),
    );
    const args = await run(
      "get",
      "daemonset",
      "kured",
      "-n",
      NAMESPACE,
      "-o",
      "jsonpath={.spec.template.spec.containers[0].args}",
    );
    const served = JSON.parse(args.stdout) as string[];
    expect(served).toEqual(daemonSet(objects).container.args);
    expect(served).toContain("--period=2h");
    expect(served.at(-1)).toBe("--annotate-nodes=false");
  });

  it("rejects a rendering with a misspelt field, as a real API server does", async () => {
    const text = render([], ["configuration.period=3h"]).replace("imagePullPolicy:", "imagePulPolicy:");
    const file = join(dir, "typo.yaml");
    writeFileSync(file, text);
    const r = await run("apply", "-f", file);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'strict decoding error: unknown field "spec.template.spec.containers[0].imagePulPolicy"',
    );
    const args = await run(
      "get",
      "daemonset",
      "kured",
      "-n",
      NAMESPACE,
      "-o",
      "jsonpath={.spec.template.spec.containers[0].args}",
    );
    expect(JSON.parse(args.stdout) as string[]).not.toContain("--period=3h");
  });
});
