/** The pod blocker against testkit's API server. */
import { createLogger, kubeApiFor, parseLabelSelector, systemClock, type NodeContext } from "@kured/core";
import { startCluster, type Cluster } from "@kured/testkit";
import { describeBlockerContract } from "@kured/testkit/contracts";
import { afterEach, describe, expect, it } from "vitest";
import { PodBlocker } from "./pod-blocker.js";

const log = createLogger({ format: "json", level: "silent" });
const NODE = "node-1";

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function start(): Promise<Cluster> {
  cluster = await startCluster({ nodes: 2, inProcess: true, kured: false });
  return cluster;
}

const ctx = (signal = new AbortController().signal): NodeContext => ({ node: NODE, signal, log, clock: systemClock });

const blocker = (c: Cluster, ...selectors: string[]): PodBlocker =>
  new PodBlocker({ kube: kubeApiFor(c.kubeConfig), selectors: selectors.map((s) => parseLabelSelector(s)) });

describe("PodBlocker", () => {
  it("lets the reboot through when no matching pod runs on the node", async () => {
    const c = await start();
    await c.createPod({ name: "other-label", nodeName: NODE, labels: { app: "web" } });
    await c.createPod({ name: "other-node", nodeName: "node-2", labels: { app: "backup" } });
    expect(await blocker(c, "app=backup").check(ctx())).toEqual({ blocked: false });
  });

  // [phase, blocks]
  const phases: ["Pending" | "Running" | "Succeeded" | "Failed", boolean][] = [
    ["Pending", true],
    ["Running", true],
    ["Succeeded", false],
    ["Failed", false],
  ];

  it.each(phases)("a matching %s pod on the node blocks: %s", async (phase, blocks) => {
    const c = await start();
    await c.createPod({ name: "backup-1", nodeName: NODE, labels: { app: "backup" }, phase });
    const result = await blocker(c, "app=backup").check(ctx());
    if (!blocks) {
      expect(result).toEqual({ blocked: false });
      return;
    }
    expect(result).toEqual({
      blocked: true,
      reason: { code: "blocking-pods-running", message: "matching pods: [default/backup-1]" },
    });
  });

  it("ORs its selectors and names each pod once", async () => {
    const c = await start();
    await c.createPod({ name: "backup-1", nodeName: NODE, labels: { app: "backup", critical: "yes" } });
    await c.createPod({ name: "job-1", nodeName: NODE, namespace: "kube-system", labels: { job: "x" } });
    expect(await blocker(c, "app=nothing", "job").check(ctx())).toEqual({
      blocked: true,
      reason: { code: "blocking-pods-running", message: "matching pods: [kube-system/job-1]" },
    });
    expect(await blocker(c, "app=backup", "critical=yes", "job").check(ctx())).toEqual({
      blocked: true,
      reason: { code: "blocking-pods-running", message: "matching pods: [default/backup-1 kube-system/job-1]" },
    });
  });

  it("names at most 10 pods, asks for 10 at a time and says … when there are more", async () => {
    const c = await start();
    for (let i = 1; i <= 12; i++) {
      await c.createPod({ name: `backup-${String(i).padStart(2, "0")}`, nodeName: NODE, labels: { app: "backup" } });
    }
    const result = await blocker(c, "app=backup").check(ctx());
    expect(result.blocked).toBe(true);
    if (!result.blocked) return;
    const expected = Array.from({ length: 10 }, (_, i) => `default/backup-${String(i + 1).padStart(2, "0")}`);
    expect(result.reason.message).toBe(`matching pods: [${expected.join(" ")} …]`);
    const lists = c.server!.audit.entries({ verb: "list", resource: "pods" });
    expect(lists).toHaveLength(1);
    expect(lists[0]?.path).toContain("limit=10");
    expect(decodeURIComponent(lists[0]?.path ?? "")).toContain(
      "fieldSelector=spec.nodeName=node-1,status.phase!=Succeeded,status.phase!=Failed,status.phase!=Unknown",
    );
  });

  it("says … for exactly 10 pods only when the server has a further page", async () => {
    const c = await start();
    for (let i = 0; i < 10; i++) await c.createPod({ name: `b-${i}`, nodeName: NODE, labels: { app: "backup" } });
    const result = await blocker(c, "app=backup").check(ctx());
    expect(result.blocked && result.reason.message.endsWith("b-9]")).toBe(true);
  });

  it("blocks with the error when the query fails", async () => {
    const c = await start();
    c.server!.faults.add({ resource: "pods", verb: "list", status: 500, message: "etcd is down" });
    const result = await blocker(c, "app=backup").check(ctx());
    expect(result.blocked).toBe(true);
    if (!result.blocked) return;
    expect(result.reason.code).toBe("pod-query-error");
    expect(result.reason.message).toContain("pod query error (selector app=backup): 500");
    expect(result.reason.message).toContain("etcd is down");
  });

  it("blocks when the API server cannot be reached", async () => {
    const c = await start();
    c.server!.faults.add({ resource: "pods", verb: "list", drop: true });
    const result = await blocker(c, "app=backup").check(ctx());
    expect(result).toMatchObject({ blocked: true, reason: { code: "pod-query-error" } });
  });

  it("cancels a slow query when the signal aborts", async () => {
    const c = await start();
    c.server!.faults.add({ resource: "pods", verb: "list", latencyMs: 10_000 });
    const controller = new AbortController();
    const why = new Error("stop");
    const started = Date.now();
    const pending = blocker(c, "app=backup").check(ctx(controller.signal));
    setTimeout(() => controller.abort(why), 50);
    await expect(pending).rejects.toBe(why);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("rejects with the signal's reason when already aborted", async () => {
    const c = await start();
    const why = new Error("stop");
    await expect(blocker(c, "app=backup").check(ctx(AbortSignal.abort(why)))).rejects.toBe(why);
  });
});

describeBlockerContract("pods", async () => {
  const c = await startCluster({ nodes: 1, inProcess: true, kured: false });
  return {
    blocker: new PodBlocker({ kube: kubeApiFor(c.kubeConfig), selectors: [parseLabelSelector("app=backup")] }),
    node: NODE,
    block: async () => {
      await c.createPod({ name: "backup", nodeName: NODE, labels: { app: "backup" } });
    },
    unblock: async () => {
      await c.apis.core
        .deleteNamespacedPod({ name: "backup", namespace: "default", gracePeriodSeconds: 0 })
        .catch(() => undefined);
    },
    cleanup: () => c.close(),
  };
});
