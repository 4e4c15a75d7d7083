/** The drainer against testkit's simulated cluster, on the virtual clock. */
import type { V1Pod } from "@kubernetes/client-node";
import { createLogger, kubeApiFor, type DrainOptions, type DrainProgress, type NodeContext } from "@kured/core";
import { startCluster, VirtualClock, type Cluster, type StoreEvent } from "@kured/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { EvictionDrainer } from "./eviction-drainer.js";

const log = createLogger({ format: "json", level: "silent" });
const NODE = "node-1";

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function start(clock: VirtualClock, podStartDelayMs = 0): Promise<Cluster> {
  cluster = await startCluster({ nodes: 3, clock, podStartDelayMs, inProcess: true });
  return cluster;
}

function nodeContext(clock: VirtualClock, signal = new AbortController().signal): NodeContext {
  return { node: NODE, signal, log, clock };
}

async function setSchedulable(c: Cluster, node: string, schedulable: boolean): Promise<void> {
  const current = await c.apis.core.readNode({ name: node });
  await c.apis.core.replaceNode({
    name: node,
    body: { ...current, spec: { ...current.spec, unschedulable: !schedulable } },
  });
}

/** Creates a Deployment whose replicas all run on node-1 (the other nodes cordoned meanwhile). */
async function deploymentOnNode1(
  c: Cluster,
  options: { name: string; replicas: number; minAvailable?: number; terminationGracePeriodSeconds?: number },
): Promise<V1Pod[]> {
  await setSchedulable(c, "node-2", false);
  await setSchedulable(c, "node-3", false);
  const { pods } = await c.createDeployment({
    name: options.name,
    replicas: options.replicas,
    ...(options.terminationGracePeriodSeconds === undefined
      ? {}
      : { terminationGracePeriodSeconds: options.terminationGracePeriodSeconds }),
    ...(options.minAvailable === undefined ? {} : { pdb: { minAvailable: options.minAvailable } }),
  });
  await setSchedulable(c, "node-2", true);
  await setSchedulable(c, "node-3", true);
  expect(pods.map((p) => (p.spec as { nodeName?: string }).nodeName)).toEqual(Array(options.replicas).fill(NODE));
  return pods as V1Pod[];
}

async function podsOn(c: Cluster, node: string, labelSelector?: string): Promise<V1Pod[]> {
  const list = await c.apis.core.listPodForAllNamespaces({
    fieldSelector: `spec.nodeName=${node}`,
    ...(labelSelector ? { labelSelector } : {}),
  });
  return list.items;
}

const names = (pods: V1Pod[]): string[] => pods.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).sort();

function drainer(c: Cluster, defaults: Partial<DrainOptions> = {}): EvictionDrainer {
  return new EvictionDrainer({ kube: kubeApiFor(c.kubeConfig), defaults });
}

describe("EvictionDrainer.cordon / uncordon", () => {
  it("cordons, reports whether the node was unschedulable before, and uncordons", async () => {
    const clock = new VirtualClock();
    const c = await start(clock);
    const d = drainer(c);
    const ctx = nodeContext(clock);
    expect(await d.cordon(ctx)).toEqual({ wasUnschedulable: false });
    expect((await c.apis.core.readNode({ name: NODE })).spec?.unschedulable).toBe(true);
    expect(await d.cordon(ctx)).toEqual({ wasUnschedulable: true });
    await d.uncordon(ctx);
    expect((await c.apis.core.readNode({ name: NODE })).spec?.unschedulable).toBeFalsy();
    await d.uncordon(ctx); // idempotent
    expect((await c.apis.core.readNode({ name: NODE })).spec?.unschedulable).toBeFalsy();
  });

  it("writes the given annotations in the patch that flips the cordon, and only then", async () => {
    const clock = new VirtualClock();
    const c = await start(clock);
    const d = drainer(c);
    const ctx = nodeContext(clock);
    const ann = async () => (await c.apis.core.readNode({ name: NODE })).metadata?.annotations?.["example.com/mark"];
    c.server?.audit.clear();
    await d.cordon({ ...ctx, annotations: { "example.com/mark": "cordoned" } });
    const patches = (c.server?.audit.entries() ?? []).filter((e) => e.resource === "nodes" && e.verb === "patch");
    expect(patches).toHaveLength(1);
    expect(await ann()).toBe("cordoned");
    await d.cordon({ ...ctx, annotations: { "example.com/mark": "again" } }); // already cordoned: no write
    expect(await ann()).toBe("cordoned");
    await d.uncordon({ ...ctx, annotations: { "example.com/mark": null } });
    expect(await ann()).toBeUndefined();
    expect((await c.apis.core.readNode({ name: NODE })).spec?.unschedulable).toBeFalsy();
  });

  it("writes nothing when the node is already cordoned", async () => {
    const clock = new VirtualClock();
    const c = await start(clock);
    await setSchedulable(c, NODE, false);
    c.server?.audit.clear();
    expect(await drainer(c).cordon(nodeContext(clock))).toEqual({ wasUnschedulable: true });
    expect(c.server?.audit.count({ verb: "patch", resource: "nodes" })).toBe(0);
  });

  it("retries when a concurrent writer changed the node (409)", async () => {
    const clock = new VirtualClock();
    const c = await start(clock);
    const fault = c.server?.faults.add({ resource: "nodes", verb: "patch", status: 409, times: 2 });
    expect(await drainer(c).cordon(nodeContext(clock))).toEqual({ wasUnschedulable: false });
    expect(fault?.fired).toBe(2);
    expect((await c.apis.core.readNode({ name: NODE })).spec?.unschedulable).toBe(true);
    expect(c.server?.audit.count({ verb: "patch", resource: "nodes" })).toBe(3);
  });

  it("notices a cordon by someone else between its read and its write (resourceVersion precondition)", async () => {
    const clock = new VirtualClock();
    const c = await start(clock);
    // hold the drainer's patch on the server for a second of virtual time
    const slow = c.server!.faults.add({ resource: "nodes", verb: "patch", latencyMs: 1000, times: 1 });
    const pending = drainer(c).cordon(nodeContext(clock));
    await clock.runUntil(() => slow.fired === 1);
    await setSchedulable(c, NODE, false); // someone else cordons meanwhile
    const result = await clock.runUntil(pending);
    expect(result).toEqual({ wasUnschedulable: true });
    expect(c.server!.audit.count({ verb: "patch", resource: "nodes", status: 409 })).toBe(1);
    expect((await c.apis.core.readNode({ name: NODE })).spec?.unschedulable).toBe(true);
  });
});

describe("EvictionDrainer.drain", () => {
  it("drains a Deployment under a minAvailable 2 budget one replica at a time, as replicas come back elsewhere", async () => {
    const clock = new VirtualClock();
    const c = await start(clock, 10_000);
    await deploymentOnNode1(c, { name: "web", replicas: 3, minAvailable: 2 });
    // track the number of healthy web pods after every change in the cluster
    let minHealthy = Infinity;
    const healthy = (): number =>
      c
        .server!.registry.store.list("/pods", "default")
        .filter(
          (p) =>
            p.metadata.labels?.app === "web" &&
            !p.metadata.deletionTimestamp &&
            (p.status as { phase?: string }).phase === "Running",
        ).length;
    const unsubscribe = c.server!.registry.store.subscribe((e: StoreEvent) => {
      if (e.storage === "/pods") minHealthy = Math.min(minHealthy, healthy());
    });
    const progress: DrainProgress[] = [];
    const d = drainer(c, { evictionRetryDelayMs: 5_000 });
    const ctx = nodeContext(clock);
    await d.cordon(ctx);
    const started = clock.now().getTime();
    const result = await clock.runUntil(d.drain({ ...ctx, onProgress: (p) => progress.push(p) }));
    unsubscribe();

    expect(result).toEqual({ ok: true });
    expect(minHealthy).toBeGreaterThanOrEqual(2);
    const accepted = c.server!.audit.entries({ verb: "create", subresource: "eviction", status: 201 });
    expect(accepted).toHaveLength(3);
    // each eviction waited for the previous replica to run elsewhere (10 s start delay)
    const times = accepted.map((e) => e.time.getTime() - started);
    expect(times[0]).toBe(0);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(10_000);
    expect((times[2] ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(10_000);
    expect(c.server!.audit.count({ verb: "create", subresource: "eviction", status: 429 })).toBeGreaterThan(0);
    // progress named the budget while it blocked, and ended with nothing left
    expect(progress.some((p) => p.blockedBy?.code === "pod-disruption-budget")).toBe(true);
    expect(progress.find((p) => p.blockedBy)?.blockedBy?.message).toContain("PodDisruptionBudget default/web");
    expect(progress.at(-1)).toEqual({ evicted: 3, remaining: 0 });
    expect(await podsOn(c, NODE, "app=web")).toEqual([]);
    await clock.advance(10_000); // the last replacement starts
    await c.settle();
    const web = (await c.apis.core.listNamespacedPod({ namespace: "default", labelSelector: "app=web" })).items;
    expect(web.filter((p) => p.status?.phase === "Running")).toHaveLength(3);
  });

  it("leaves DaemonSet, mirror and finished pods alone and evicts unmanaged and emptyDir pods", async () => {
    const clock = new VirtualClock();
    const c = await start(clock);
    await c.createPod({ name: "lonely", nodeName: NODE, terminationGracePeriodSeconds: 30 });
    await c.createPod({ name: "scratch", nodeName: NODE, emptyDir: true, terminationGracePeriodSeconds: 0 });
    await c.createPod({ name: "done", nodeName: NODE, phase: "Succeeded" });
    await c.createPod({
      name: "kube-proxy-node-1",
      namespace: "kube-system",
      nodeName: NODE,
      annotations: { "kubernetes.io/config.mirror": "a1b2c3" },
    });
    const kuredBefore = await podsOn(c, NODE, "name=kured");
    expect(kuredBefore).toHaveLength(1);
    const d = drainer(c);
    const ctx = nodeContext(clock);
    await d.cordon(ctx);
    const started = clock.now().getTime();
    const result = await clock.runUntil(d.drain(ctx));

    expect(result).toEqual({ ok: true });
    // the unmanaged pod had its own 30 s to stop, and the drain waited for it
    expect(clock.now().getTime() - started).toBeGreaterThanOrEqual(30_000);
    const left = await podsOn(c, NODE);
    expect(names(left)).toEqual([
      "default/done",
      "kube-system/kube-proxy-node-1",
      `kube-system/${kuredBefore[0]?.metadata?.name}`,
    ]);
    expect(left.find((p) => p.metadata?.labels?.name === "kured")?.metadata?.uid).toBe(kuredBefore[0]?.metadata?.uid);
    const evicted = c.server!.audit.entries({ verb: "create", subresource: "eviction" }).map((e) => e.name);
    expect(evicted.sort()).toEqual(["lonely", "scratch"]);
  });

  it("fails at --drain-timeout when a budget never frees, naming the pod and the budget", async () => {
    const clock = new VirtualClock();
    const c = await start(clock);
    const [db] = await deploymentOnNode1(c, { name: "db", replicas: 1, minAvailable: 1 });
    const d = drainer(c, { timeoutMs: 120_000 });
    const ctx = nodeContext(clock);
    await d.cordon(ctx);
    const started = clock.now().getTime();
    const result = await clock.runUntil(d.drain(ctx));

    expect(clock.now().getTime() - started).toBe(120_000);
    const key = `default/${db?.metadata?.name}`;
    expect(result).toEqual({
      ok: false,
      reason: { code: "drain-timeout", message: expect.stringContaining(key) as unknown },
      remainingPods: [key],
    });
    if (result.ok) return;
    expect(result.reason.message).toMatch(/^drain did not finish within 2m0s: 1 pod left: /);
    expect(result.reason.message).toContain("PodDisruptionBudget default/db");
    expect(await podsOn(c, NODE, "app=db")).toHaveLength(1);
    // retried every 5 s (the default delay), not in a tight loop
    const refusals = c.server!.audit.count({ verb: "create", subresource: "eviction", status: 429 });
    expect(refusals).toBeGreaterThanOrEqual(20);
    expect(refusals).toBeLessThanOrEqual(26);
    expect(clock.pendingTimers()).toEqual([]);
  });

  it("with --drain-pod-selector evicts only matching pods and leaves the others running", async () => {
    const clock = new VirtualClock();
    const c = await start(clock);
    await c.createPod({ name: "batch-1", nodeName: NODE, labels: { tier: "batch" }, terminationGracePeriodSeconds: 0 });
    await c.createPod({ name: "batch-2", nodeName: NODE, labels: { tier: "batch" }, terminationGracePeriodSeconds: 0 });
    await c.createPod({ name: "web-1", nodeName: NODE, labels: { tier: "web" }, terminationGracePeriodSeconds: 0 });
    await c.createPod({ name: "plain", nodeName: NODE, terminationGracePeriodSeconds: 0 });
    const d = drainer(c, { podSelector: "tier=batch" });
    const result = await clock.runUntil(d.drain(nodeContext(clock)));

    expect(result).toEqual({ ok: true });
    const left = await podsOn(c, NODE);
    expect(names(left.filter((p) => p.metadata?.namespace === "default"))).toEqual(["default/plain", "default/web-1"]);
    expect(left.filter((p) => p.metadata?.namespace === "default").every((p) => p.status?.phase === "Running")).toBe(
      true,
    );
  });

  // [--drain-grace-period, the pod's terminationGracePeriodSeconds, expected deletionGracePeriodSeconds]
  const graces: [number, number, number][] = [
    [-1, 45, 45],
    [5, 45, 5],
    [60, 45, 60],
  ];

  it.each(graces)("passes --drain-grace-period %i through (pod's own %i) → %i", async (grace, own, expected) => {
    const clock = new VirtualClock();
    const c = await start(clock);
    await c.createPod({ name: "app", nodeName: NODE, terminationGracePeriodSeconds: own });
    const seen: number[] = [];
    const unsubscribe = c.server!.registry.store.subscribe((e: StoreEvent) => {
      const g = e.object.metadata.deletionGracePeriodSeconds;
      if (e.object.metadata.name === "app" && e.type === "MODIFIED" && g !== undefined) seen.push(g);
    });
    const started = clock.now().getTime();
    const result = await clock.runUntil(
      drainer(c).drain({ ...nodeContext(clock), options: { gracePeriodSeconds: grace } }),
    );
    unsubscribe();
    expect(result).toEqual({ ok: true });
    expect(seen).toEqual([expected]);
    expect(clock.now().getTime() - started).toBeGreaterThanOrEqual(expected * 1000);
  });

  it("with --skip-wait-for-delete-timeout stops waiting for a pod stuck terminating", async () => {
    const clock = new VirtualClock();
    const c = await start(clock);
    await c.apis.core.createNamespacedPod({
      namespace: "default",
      body: {
        metadata: { name: "stuck", finalizers: ["example.com/hold"] },
        spec: { nodeName: NODE, terminationGracePeriodSeconds: 10, containers: [{ name: "main", image: "pause" }] },
      },
    });
    await c.settle();
    const started = clock.now().getTime();
    const result = await clock.runUntil(drainer(c, { skipWaitForDeleteTimeoutSeconds: 20 }).drain(nodeContext(clock)));
    expect(result).toEqual({ ok: true });
    // deletion deadline at +10 s, then 20 s more
    expect(clock.now().getTime() - started).toBeGreaterThan(30_000);
    expect(clock.now().getTime() - started).toBeLessThan(33_000);
    expect(await podsOn(c, NODE, "")).toEqual(
      expect.arrayContaining([expect.objectContaining({ metadata: expect.objectContaining({ name: "stuck" }) })]),
    );
  });

  it("fails at once when two budgets select a pod (the API server's 500), with that reason", async () => {
    const clock = new VirtualClock();
    const c = await start(clock);
    const [pod] = await deploymentOnNode1(c, { name: "api", replicas: 2, minAvailable: 1 });
    await c.createPdb({ name: "api-extra", selector: { app: "api" }, maxUnavailable: 1 });
    const started = clock.now().getTime();
    const result = await clock.runUntil(drainer(c, { timeoutMs: 600_000 }).drain(nodeContext(clock)));
    expect(clock.now().getTime()).toBe(started);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason.code).toBe("multiple-disruption-budgets");
    expect(result.reason.message).toContain("more than one PodDisruptionBudget");
    expect(result.remainingPods).toContain(`default/${pod?.metadata?.name}`);
  });

  it("keeps retrying through passing API failures (5xx on the eviction)", async () => {
    const clock = new VirtualClock();
    const c = await start(clock);
    await c.createPod({ name: "app", nodeName: NODE, terminationGracePeriodSeconds: 0 });
    const fault = c.server!.faults.add({ resource: "pods/eviction", verb: "create", status: 503, times: 3 });
    const result = await clock.runUntil(drainer(c).drain(nodeContext(clock)));
    expect(result).toEqual({ ok: true });
    expect(fault.fired).toBe(3);
  });

  it("reports API throttling (a 429 without a budget) and retries after the delay", async () => {
    const clock = new VirtualClock();
    const c = await start(clock);
    await c.createPod({ name: "app", nodeName: NODE, terminationGracePeriodSeconds: 0 });
    c.server!.faults.add({ resource: "pods/eviction", verb: "create", status: 429, times: 2 });
    const progress: DrainProgress[] = [];
    const started = clock.now().getTime();
    const result = await clock.runUntil(
      drainer(c, { evictionRetryDelayMs: 3_000 }).drain({ ...nodeContext(clock), onProgress: (p) => progress.push(p) }),
    );
    expect(result).toEqual({ ok: true });
    expect(progress.find((p) => p.blockedBy)?.blockedBy?.code).toBe("eviction-throttled");
    const accepted = c.server!.audit.entries({ verb: "create", subresource: "eviction", status: 201 });
    expect(accepted.map((e) => e.time.getTime() - started)).toEqual([6_000]);
  });

  it("stops when the signal aborts and rejects with its reason", async () => {
    const clock = new VirtualClock();
    const c = await start(clock);
    await deploymentOnNode1(c, { name: "db", replicas: 1, minAvailable: 1 });
    const controller = new AbortController();
    const why = new Error("SIGTERM");
    const pending = drainer(c).drain(nodeContext(clock, controller.signal));
    const outcome = pending.then(
      () => "resolved",
      (e: unknown) => e,
    );
    await clock.advance(30_000);
    controller.abort(why);
    expect(await outcome).toBe(why);
    expect(clock.pendingTimers()).toEqual([]);
  });

  it("succeeds at once on a node with nothing to evict", async () => {
    const clock = new VirtualClock();
    const c = await start(clock);
    const progress: DrainProgress[] = [];
    const result = await clock.runUntil(
      drainer(c).drain({ ...nodeContext(clock), onProgress: (p) => progress.push(p) }),
    );
    expect(result).toEqual({ ok: true });
    expect(progress).toEqual([{ evicted: 0, remaining: 0 }]);
  });
});
