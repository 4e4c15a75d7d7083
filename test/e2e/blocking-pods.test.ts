/**
 * End to end: `--blocking-pod-selector` (Go kured's e2e: TestRebootBlockedPodblocker). A running
 * pod that matches the selector on a node holds that node's reboot, and only that node's; a
 * finished pod that matches holds nothing. Once the pod is deleted, the node reboots.
 */
import type { CoreV1Event } from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import { killAllDaemons } from "./support/daemon-process.js";
import { E2eCluster, e2eSkipReason } from "./support/e2e-cluster.js";

const skip = e2eSkipReason({ cluster: [] });

afterAll(killAllDaemons);

describe("e2e: --blocking-pod-selector", () => {
  it("a node running a pod the selector matches is blocked, with the pod named on its Events, while the other node reboots; it reboots once the pod is deleted", async ({
    skip: skipTest,
    onTestFinished,
  }) => {
    if (skip) skipTest(skip);
    const e2e = await E2eCluster.start({ nodes: 2, extraArgs: () => ["--blocking-pod-selector=app=blocker"] });
    onTestFinished(() => e2e.close());
    const [blocked = "", free = ""] = e2e.nodes;
    const namespace = e2e.cluster.namespace;

    await e2e.cluster.createPod({
      name: "blocker",
      namespace,
      nodeName: blocked,
      labels: { app: "blocker" },
      terminationGracePeriodSeconds: 0,
    });
    // matches too, but has finished: no reason to wait (and nothing for the drain to evict)
    await e2e.cluster.createPod({
      name: "blocker-done",
      namespace,
      nodeName: free,
      labels: { app: "blocker" },
      phase: "Succeeded",
      terminationGracePeriodSeconds: 0,
    });
    await e2e.requireReboot();
    e2e.startDaemons();

    // blocked in at least two periods, and the other node goes ahead meanwhile
    const blockedEvent = async (): Promise<CoreV1Event | undefined> =>
      (await e2e.nodeEvents(blocked)).find((e) => e.reason === "RebootBlocked");
    await e2e.waitFor(`${free} rebooted and ${blocked} blocked twice by its pod`, async () => {
      const event = await blockedEvent();
      return (event?.count ?? 0) >= 2 && (await e2e.rolloutDone(free));
    });

    const event = (await blockedEvent()) as CoreV1Event;
    expect(event.type).toBe("Warning");
    expect(event.involvedObject).toMatchObject({ kind: "Node", name: blocked });
    expect(event.message).toContain(`matching pods: [${namespace}/blocker] (blocking-pods-running)`);
    expect(e2e.rebootCounts()).toEqual({ [blocked]: 0, [free]: 1 });
    expect(e2e.cordons.cordonCounts(), "a blocked node is never cordoned").not.toHaveProperty(blocked);
    expect(e2e.lock.acquisitions(), "a blocked node never takes the lock").toEqual([free]);
    expect(await e2e.nodeEvents(free), "the finished pod blocked nothing").not.toContainEqual(
      expect.objectContaining({ reason: "RebootBlocked" }),
    );

    await e2e.cluster.apis.core.deleteNamespacedPod({ name: "blocker", namespace, gracePeriodSeconds: 0 });
    await e2e.waitFor(`${blocked} rebooted once its pod is gone`, () => e2e.rolloutDone(blocked));

    await e2e.expectBlockedThenFree(free, blocked);
  }, 120_000);
});
