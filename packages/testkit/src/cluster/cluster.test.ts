/**
 * The simulated cluster on a virtual clock: kubelets, controllers, reboots, graceful deletion; the
 * busy controllers of `serve --busy`; and the real-cluster helpers against a busy in-process server.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/index.js";
import { findResource, type ResourceType } from "../server/resources.js";
import {
  BUSY_HEARTBEAT_ANNOTATION,
  BUSY_NAMESPACE,
  BUSY_NODE_ANNOTATIONS,
  BUSY_NODE_LABELS,
  BusyControllers,
} from "./busy-controllers.js";
import { startRemoteCluster } from "./remote-cluster.js";
import { startCluster, type Cluster } from "./start-cluster.js";

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function start(clock: VirtualClock, podStartDelayMs = 5_000): Promise<Cluster> {
  cluster = await startCluster({ nodes: 3, clock, podStartDelayMs, inProcess: true });
  return cluster;
}

describe("simulated cluster", () => {
  it("starts Ready nodes with boot IDs, and one kured pod per node", async () => {
    const c = await start(new VirtualClock());
    const nodes = await c.apis.core.listNode({});
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual(["node-1", "node-2", "node-3"]);
    for (const n of nodes.items) {
      expect(n.status?.conditions?.find((x) => x.type === "Ready")?.status).toBe("True");
      expect(n.status?.nodeInfo?.bootID).toMatch(/^boot-node-\d-0$/);
    }
    const pods = await c.apis.core.listNamespacedPod({ namespace: "kube-system", labelSelector: "name=kured" });
    expect(pods.items.map((p) => p.spec?.nodeName).sort()).toEqual(["node-1", "node-2", "node-3"]);
    expect(pods.items.every((p) => p.status?.phase === "Running")).toBe(true);
    const ds = await c.apis.apps.readNamespacedDaemonSet({ name: "kured", namespace: "kube-system" });
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 3, numberReady: 3 });
  });

  it("reboot: NotReady and pods gone, then after downFor a new bootID, Ready, and the DaemonSet pod back", async () => {
    const clock = new VirtualClock();
    const c = await start(clock, 1_000);
    await c.createDeployment({ name: "web", replicas: 3 });
    const before = await c.apis.core.readNode({ name: "node-2" });
    const done = c.reboot("node-2", { downFor: 60_000 });
    await c.settle();
    const down = await c.apis.core.readNode({ name: "node-2" });
    expect(down.status?.conditions?.find((x) => x.type === "Ready")?.status).toBe("False");
    const onNode = await c.apis.core.listPodForAllNamespaces({ fieldSelector: "spec.nodeName=node-2" });
    expect(onNode.items).toEqual([]);
    await clock.advance(2_000);
    await c.settle();
    // the web replica that ran there was recreated elsewhere and started after the start delay
    const web = await c.apis.core.listNamespacedPod({ namespace: "default", labelSelector: "app=web" });
    expect(web.items.filter((p) => p.status?.phase === "Running")).toHaveLength(3);
    expect(web.items.every((p) => p.spec?.nodeName !== "node-2")).toBe(true);
    await clock.advance(60_000);
    await done;
    const up = await c.apis.core.readNode({ name: "node-2" });
    expect(up.status?.conditions?.find((x) => x.type === "Ready")?.status).toBe("True");
    expect(up.status?.nodeInfo?.bootID).not.toBe(before.status?.nodeInfo?.bootID);
    await clock.advance(1_000);
    await c.settle();
    const kured = await c.apis.core.listPodForAllNamespaces({
      fieldSelector: "spec.nodeName=node-2",
      labelSelector: "name=kured",
    });
    expect(kured.items).toHaveLength(1);
    expect(kured.items[0]?.status?.phase).toBe("Running");
  });

  it("an evicted replica is recreated on another schedulable node and frees the budget once Ready", async () => {
    const clock = new VirtualClock();
    const c = await start(clock, 10_000);
    const { pods } = await c.createDeployment({ name: "db", replicas: 2, pdb: { minAvailable: 1 } });
    const victim = pods[0];
    const from = (victim?.spec as { nodeName: string }).nodeName;
    await c.apis.core.replaceNode({
      name: from,
      body: { ...(await c.apis.core.readNode({ name: from })), spec: { unschedulable: true } },
    });
    await c.apis.core.createNamespacedPodEviction({
      name: victim?.metadata?.name as string,
      namespace: "default",
      body: { metadata: { name: victim?.metadata?.name } },
    });
    await c.settle();
    let pdb = await c.apis.policy.readNamespacedPodDisruptionBudget({ name: "db", namespace: "default" });
    expect(pdb.status?.disruptionsAllowed).toBe(0);
    await clock.advance(10_000);
    await c.settle();
    const live = (await c.apis.core.listNamespacedPod({ namespace: "default", labelSelector: "app=db" })).items.filter(
      (p) => !p.metadata?.deletionTimestamp,
    );
    expect(live).toHaveLength(2);
    expect(live.every((p) => p.status?.phase === "Running" && p.spec?.nodeName !== from)).toBe(true);
    pdb = await c.apis.policy.readNamespacedPodDisruptionBudget({ name: "db", namespace: "default" });
    expect(pdb.status?.disruptionsAllowed).toBe(1);
  });

  it("graceful deletion: deletionTimestamp now + grace, gone once the grace period passes on the clock", async () => {
    const clock = new VirtualClock();
    const c = await start(clock);
    await c.createPod({ name: "slow", nodeName: "node-1", terminationGracePeriodSeconds: 45 });
    const deleted = await c.apis.core.deleteNamespacedPod({ name: "slow", namespace: "default" });
    expect(deleted.metadata?.deletionGracePeriodSeconds).toBe(45);
    expect(deleted.metadata?.deletionTimestamp?.getTime()).toBe(clock.now().getTime() + 45_000);
    await clock.advance(44_000);
    expect((await c.apis.core.readNamespacedPod({ name: "slow", namespace: "default" })).metadata?.name).toBe("slow");
    await clock.advance(1_000);
    await expect(c.apis.core.readNamespacedPod({ name: "slow", namespace: "default" })).rejects.toMatchObject({
      code: 404,
    });
  });

  it("gracePeriodSeconds in DeleteOptions overrides the pod's; 0 deletes at once", async () => {
    const c = await start(new VirtualClock());
    await c.createPod({ name: "now", nodeName: "node-1" });
    await c.apis.core.deleteNamespacedPod({ name: "now", namespace: "default", gracePeriodSeconds: 0 });
    await expect(c.apis.core.readNamespacedPod({ name: "now", namespace: "default" })).rejects.toMatchObject({
      code: 404,
    });
  });

  it("DaemonSet pods ignore cordons; ReplicaSet pods avoid cordoned and tainted nodes", async () => {
    const clock = new VirtualClock();
    const c = await start(clock, 0);
    for (const n of ["node-1", "node-2"]) {
      await c.apis.core.replaceNode({
        name: n,
        body: { ...(await c.apis.core.readNode({ name: n })), spec: { unschedulable: true } },
      });
    }
    await c.apis.core.replaceNode({
      name: "node-3",
      body: {
        ...(await c.apis.core.readNode({ name: "node-3" })),
        spec: { taints: [{ key: "x", effect: "NoSchedule" }] },
      },
    });
    await c.apis.apps.createNamespacedDeployment({
      namespace: "default",
      body: {
        metadata: { name: "api" },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "api" } },
          template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "c", image: "i" }] } },
        },
      },
    });
    await c.settle();
    await clock.tick();
    await c.settle();
    const api = await c.apis.core.listNamespacedPod({ namespace: "default", labelSelector: "app=api" });
    expect(api.items).toHaveLength(1);
    expect(api.items[0]?.spec?.nodeName).toBeUndefined();
    const rebooted = c.reboot("node-1", { downFor: 1_000 });
    await c.settle();
    await clock.advance(1_000);
    await rebooted;
    await clock.tick();
    await c.settle();
    const kured = await c.apis.core.listPodForAllNamespaces({
      labelSelector: "name=kured",
      fieldSelector: "spec.nodeName=node-1",
    });
    expect(kured.items).toHaveLength(1);
  });
});

describe("serve --busy: the other controllers of a busy cluster", () => {
  let busy: BusyControllers | undefined;
  afterEach(() => {
    busy?.stop();
    busy = undefined;
  });

  it("labels, annotates and heartbeats every Node, writes DaemonSet status, adds unrelated Events", async () => {
    const c = (cluster = await startCluster({ nodes: 2, inProcess: true }));
    const server = c.server as NonNullable<typeof c.server>;
    busy = new BusyControllers(server.registry, c.clock);
    const before = await c.apis.core.readNode({ name: "node-1" });
    const dsBefore = await c.apis.apps.readNamespacedDaemonSet({ name: "kured", namespace: "kube-system" });
    busy.round();
    const once = await c.apis.core.readNode({ name: "node-1" });
    expect(once.metadata?.labels).toMatchObject({ ...BUSY_NODE_LABELS, "kubernetes.io/hostname": "node-1" });
    expect(once.metadata?.annotations).toMatchObject(BUSY_NODE_ANNOTATIONS);
    expect(Number(once.metadata?.resourceVersion)).toBeGreaterThan(Number(before.metadata?.resourceVersion));
    busy.round();
    const twice = await c.apis.core.readNode({ name: "node-1" });
    expect(twice.metadata?.annotations?.[BUSY_HEARTBEAT_ANNOTATION]).toBe("2");
    expect(Number(twice.metadata?.resourceVersion)).toBeGreaterThan(Number(once.metadata?.resourceVersion));
    // the Ready condition is kept, only its heartbeat moves
    expect(twice.status?.conditions?.find((x) => x.type === "Ready")?.status).toBe("True");
    const ds = await c.apis.apps.readNamespacedDaemonSet({ name: "kured", namespace: "kube-system" });
    expect(Number(ds.metadata?.resourceVersion)).toBeGreaterThan(Number(dsBefore.metadata?.resourceVersion));
    const registered = await c.apis.core.listNamespacedEvent({ namespace: "default" });
    expect(registered.items.map((e) => `${e.reason} ${e.involvedObject.name}`).sort()).toEqual([
      "RegisteredNode node-1",
      "RegisteredNode node-2",
    ]);
    expect((await c.eventsAbout("Node", "node-2")).map((e) => e.reason)).toEqual(["RegisteredNode"]);
    const unrelated = await c.apis.core.listEventForAllNamespaces({ fieldSelector: "metadata.namespace!=default" });
    expect(unrelated.items.map((e) => e.metadata?.namespace).sort()).toEqual([BUSY_NAMESPACE, "kube-system"]);
  });

  it("taints a Node that is not Ready, as the node lifecycle controller does, and lifts the taint again", async () => {
    const c = (cluster = await startCluster({ nodes: 1, inProcess: true, kured: false }));
    busy = new BusyControllers((c.server as NonNullable<typeof c.server>).registry, c.clock);
    const taints = async () =>
      ((await c.apis.core.readNode({ name: "node-1" })).spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`);
    await c.apis.core.patchNode(
      { name: "node-1", body: { spec: { taints: [{ key: "own", effect: "NoSchedule" }] } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    busy.round();
    expect(await taints()).toEqual(["own:NoSchedule"]);
    await c.setNodeReady("node-1", false);
    busy.round();
    expect(await taints()).toEqual(["own:NoSchedule", "node.kubernetes.io/not-ready:NoSchedule"]);
    busy.round();
    expect(await taints()).toHaveLength(2);
    await c.setNodeReady("node-1", true);
    busy.round();
    expect(await taints()).toEqual(["own:NoSchedule"]);
  });

  it("keeps at most keepEvents unrelated Events per namespace", async () => {
    const c = (cluster = await startCluster({ nodes: 0, inProcess: true, kured: false }));
    busy = new BusyControllers((c.server as NonNullable<typeof c.server>).registry, c.clock, { keepEvents: 3 });
    for (let i = 0; i < 20; i++) busy.round();
    const events = await c.apis.core.listNamespacedEvent({ namespace: "kube-system" });
    expect(events.items.map((e) => e.message).sort()).toEqual([
      "unrelated event 16",
      "unrelated event 18",
      "unrelated event 20",
    ]);
  });

  it("once started, sends a watch's initial ADDED events in no particular order", async () => {
    const names = Array.from({ length: 20 }, (_, i) => `n-${String(i).padStart(2, "0")}`);
    const c = (cluster = await startCluster({ nodes: names, inProcess: true, kured: false }));
    const registry = (c.server as NonNullable<typeof c.server>).registry;
    const initial = (): string[] => {
      const seen: string[] = [];
      const type = findResource("", "v1", "nodes") as ResourceType;
      registry.watch(type, undefined, undefined, undefined, (e) => seen.push(e.object.metadata?.name ?? ""))();
      return seen;
    };
    expect(initial()).toEqual(names);
    busy = new BusyControllers(registry, c.clock, { intervalMs: 3_600_000 });
    busy.start();
    const shuffled = initial();
    expect([...shuffled].sort()).toEqual(names);
    expect(shuffled).not.toEqual(names); // 1 in 20! to fail by chance
  });
});

describe("the real-cluster helpers (startRemoteCluster), against a busy in-process server", () => {
  let server: Cluster | undefined;
  let busy: BusyControllers | undefined;
  let kubeconfig: string;
  beforeEach(async () => {
    server = await startCluster({ nodes: ["busy-worker"], inProcess: true });
    busy = new BusyControllers((server.server as NonNullable<Cluster["server"]>).registry, server.clock, {
      intervalMs: 5,
    });
    busy.start();
    kubeconfig = join(mkdtempSync(join(tmpdir(), "kured-remote-")), "kubeconfig");
    await server.server?.writeKubeconfig(kubeconfig);
  });
  afterEach(async () => {
    busy?.stop();
    await server?.close();
    rmSync(dirname(kubeconfig), { recursive: true, force: true });
  });

  /** The names of the Nodes and namespaces a run left on the cluster. */
  async function leftovers(c: Cluster): Promise<string[]> {
    const nodes = (await c.apis.core.listNode({})).items.map((n) => n.metadata?.name ?? "");
    const namespaces = (await c.apis.core.listNamespace({})).items.map((n) => n.metadata?.name ?? "");
    return [...nodes, ...namespaces].filter((n) => n.startsWith("kured-e2e-"));
  }

  it("prefixes its Nodes, writes them with patches under other writers, and removes all it created", async () => {
    const remote = await startRemoteCluster(kubeconfig, { nodes: ["node-1", "node-2"] });
    try {
      expect(remote.capabilities.inProcess).toBe(false);
      expect(remote.nodeNames).toEqual([remote.nodeName("node-1"), remote.nodeName("node-2")]);
      expect(remote.nodeName("node-1")).toMatch(/^kured-e2e-[0-9a-f]{6}-node-1$/);
      expect(remote.namespace).toMatch(/^kured-e2e-[0-9a-f]{6}$/);
      const n1 = remote.nodeName("node-1");
      const ready = (n: { status?: { conditions?: { type: string; status: string }[] } }) =>
        n.status?.conditions?.find((x) => x.type === "Ready")?.status;
      expect(ready(await remote.apis.core.readNode({ name: n1 }))).toBe("True");
      // the busy controllers write the Node every few ms; a patch does not conflict with them
      for (const want of [false, true, false]) {
        await remote.setNodeReady(n1, want);
        expect(ready(await remote.apis.core.readNode({ name: n1 }))).toBe(want ? "True" : "False");
      }
      const node = await remote.apis.core.readNode({ name: n1 });
      expect(node.metadata?.labels?.["kubernetes.io/hostname"]).toBe(n1);
      const pod = await remote.createPod({ name: "p", nodeName: n1 });
      expect((pod.status as { phase?: string }).phase).toBe("Running");
      const lease = await remote.apis.coordination.readNamespacedLease({ name: n1, namespace: "kube-node-lease" });
      expect(lease.spec?.holderIdentity).toBe(n1);
      await remote.createKuredDaemonSet({ name: "kured-extra" });
      expect(await leftovers(remote)).toEqual(expect.arrayContaining([n1, remote.namespace]));
    } finally {
      await remote.close();
    }
    expect(await leftovers(server as Cluster)).toEqual([]);
    const leases = await (server as Cluster).apis.coordination.listNamespacedLease({ namespace: "kube-node-lease" });
    expect(leases.items.map((l) => l.metadata?.name)).toEqual(["busy-worker"]);
  });

  it("a failed set-up removes the Nodes and the namespace it had created", async () => {
    await expect(startRemoteCluster(kubeconfig, { nodes: ["node-1", "Bad_Name"] })).rejects.toMatchObject({
      code: 422,
    });
    expect(await leftovers(server as Cluster)).toEqual([]);
  });
});
