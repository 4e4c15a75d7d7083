/**
 * End to end: `--concurrency=2` with four nodes that all need a reboot (Go kured's e2e:
 * TestConcurrentReboot*). Checked on what the server stored: every version of the lock annotation
 * and every change of the nodes' schedulability, as watched.
 */
import { afterAll, describe, expect, it } from "vitest";
import { killAllDaemons } from "./support/daemon-process.js";
import { E2eCluster, e2eSkipReason } from "./support/e2e-cluster.js";

const skip = e2eSkipReason({ cluster: [] });

afterAll(killAllDaemons);

describe("e2e: concurrent reboots", () => {
  it("with --concurrency=2 four nodes are each rebooted once, two at a time and never more", async ({
    skip: skipTest,
    onTestFinished,
  }) => {
    if (skip) skipTest(skip);
    const e2e = await E2eCluster.start({ nodes: 4, concurrency: 2 });
    onTestFinished(() => e2e.close());

    await e2e.requireReboot();
    e2e.startDaemons();
    await e2e.waitFor("every node rebooted and back, none cordoned, the lock free", () => e2e.rolloutDone(), 75_000);

    const versions = JSON.stringify(e2e.lock.versions);
    expect(e2e.rebootCounts(), "reboot requests per node").toEqual(e2e.perNode(1));
    // two slots used at once (else this would not test concurrency), never a third
    expect(e2e.lock.maxHolders(), `lock holders at any version: ${versions}`).toBe(2);
    expect([...e2e.lock.acquisitions()].sort(), "lock acquisitions").toEqual([...e2e.nodes].sort());
    const mostCordoned = e2e.cordons.mostCordonedAtOnce();
    expect(mostCordoned.length, `nodes cordoned at the same time: ${mostCordoned.join(", ")}`).toBe(2);
    expect(e2e.cordons.cordonCounts(), "cordons per node").toEqual(e2e.perNode(1));
    expect(await e2e.unschedulableNodes()).toEqual([]);
    expect(await e2e.lockHolders()).toEqual([]);
    expect(e2e.lock.gaps + e2e.cordons.gaps, "watch restarts that could have missed versions").toBe(0);
    expect(e2e.problems).toEqual([]);
  }, 120_000);
});
