/**
 * End to end: real kured processes, one per node, against a testkit API server on real time.
 * A reboot kills the node's process; the node's next process finishes the cycle. Runs against a
 * real cluster too (KURED_E2E_KUBECONFIG): there a "reboot" is a new process and a new boot ID.
 */
import { afterAll, describe, expect, it } from "vitest";
import { killAllDaemons } from "./support/daemon-process.js";
import { E2eCluster, e2eSkipReason } from "./support/e2e-cluster.js";

const skip = e2eSkipReason({ cluster: [] });

afterAll(killAllDaemons);

describe("e2e: a rolling reboot by kured daemon processes", () => {
  it("three nodes that all need a reboot are each rebooted once, one at a time, and end uncordoned with the lock free", async ({
    skip: skipTest,
    onTestFinished,
  }) => {
    if (skip) skipTest(skip);
    const e2e = await E2eCluster.start({ nodes: 3 });
    onTestFinished(() => e2e.close());

    await e2e.requireReboot();
    e2e.startDaemons();
    await e2e.waitFor("every node rebooted and back, none cordoned, the lock free", () => e2e.rolloutDone(), 75_000);

    expect(e2e.rebootCounts(), "reboot requests per node").toEqual(e2e.perNode(1));
    expect(e2e.lock.maxHolders(), `lock holders at any version: ${JSON.stringify(e2e.lock.versions)}`).toBe(1);
    expect([...e2e.lock.acquisitions()].sort(), "lock acquisitions").toEqual([...e2e.nodes].sort());
    // the lock was taken in the order the reboots were asked for
    expect(e2e.lock.acquisitions()).toEqual(e2e.rebootRequests.map((r) => r.node));
    expect(e2e.cordons.mostCordonedAtOnce(), "nodes cordoned at the same time").toHaveLength(1);
    expect(e2e.cordons.cordonCounts(), "cordons per node").toEqual(e2e.perNode(1));
    expect(await e2e.unschedulableNodes()).toEqual([]);
    expect(await e2e.lockHolders()).toEqual([]);
    expect(e2e.lock.gaps + e2e.cordons.gaps, "watch restarts that could have missed versions").toBe(0);
    expect(e2e.problems).toEqual([]);
  }, 120_000);
});
