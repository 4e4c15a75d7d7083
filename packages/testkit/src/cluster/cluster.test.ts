/** The simulated cluster on a virtual clock: kubelets, controllers, reboots, graceful deletion. */
import { afterEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/index.js";
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
