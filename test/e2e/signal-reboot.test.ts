/**
 * End to end: `--reboot-method=signal`, as kured-ds-signal.yaml runs kured. The daemon reboots by
 * signalling PID 1; here PID 1 of each daemon's namespace is the harness's stand-in for the host's
 * init, which records the signal, and the harness then reboots the node. (Go kured's e2e:
 * TestRebootSignal*.)
 */
import { afterAll, describe, expect, it } from "vitest";
import { killAllDaemons } from "./support/daemon-process.js";
import { E2eCluster, e2eSkipReason } from "./support/e2e-cluster.js";

const skip = e2eSkipReason({ cluster: [], ownPid1: true });

afterAll(killAllDaemons);

describe("e2e: the signal reboot method", () => {
  it("each node reboots by sending PID 1 its --reboot-signal (default 39, SIGRTMIN+5) once, one node at a time", async ({
    skip: skipTest,
    onTestFinished,
  }) => {
    if (skip) skipTest(skip);
    const e2e = await E2eCluster.start({
      nodes: 2,
      rebootMethod: "signal",
      // the first node keeps the default signal; the second is told another one
      extraArgs: (node, { nodes }) => (node === nodes[1] ? ["--reboot-signal=37"] : []),
    });
    onTestFinished(() => e2e.close());
    const [first, second] = e2e.nodes as [string, string];

    await e2e.requireReboot();
    e2e.startDaemons();
    await e2e.waitFor("both nodes rebooted by signal and back, none cordoned, the lock free", () => e2e.rolloutDone());

    const requests = e2e.rebootRequests.map(({ node, method, signal }) => ({ node, method, signal }));
    expect(requests, "what PID 1 received, in order").toEqual(
      expect.arrayContaining([
        { node: first, method: "signal", signal: 39 },
        { node: second, method: "signal", signal: 37 },
      ]),
    );
    expect(e2e.rebootCounts(), "signals per node").toEqual(e2e.perNode(1));
    expect(e2e.lock.maxHolders()).toBe(1);
    expect(e2e.lock.acquisitions()).toEqual(e2e.rebootRequests.map((r) => r.node));
    expect(e2e.cordons.cordonCounts()).toEqual(e2e.perNode(1));
    expect(await e2e.unschedulableNodes()).toEqual([]);
    expect(e2e.problems).toEqual([]);
  }, 90_000);
});
