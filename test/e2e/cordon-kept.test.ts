/**
 * End to end: a node an admin cordoned before kured took the lock is still drained and rebooted,
 * and left cordoned afterwards; kured uncordons only the nodes it cordoned itself (Go kured's e2e:
 * TestCordonningIsKept{Without,With}Concurrency).
 */
import { afterAll, describe, expect, it } from "vitest";
import { killAllDaemons } from "./support/daemon-process.js";
import { E2eCluster, e2eSkipReason } from "./support/e2e-cluster.js";

const skip = e2eSkipReason({ cluster: [] });

afterAll(killAllDaemons);

describe("e2e: a cordon made by an admin is kept", () => {
  it.for([1, 2])(
    "with --concurrency=%i the node cordoned beforehand is rebooted and stays cordoned, the other is uncordoned again",
    { timeout: 120_000 },
    async (concurrency, { skip: skipTest, onTestFinished }) => {
      if (skip) skipTest(skip);
      const e2e = await E2eCluster.start({ nodes: 2, concurrency });
      onTestFinished(() => e2e.close());
      const [cordoned = "", ...others] = e2e.nodes;

      await e2e.cordon(cordoned);
      await e2e.waitFor(`the admin's cordon of ${cordoned} in the node watch`, () =>
        e2e.cordons.cordoned().includes(cordoned),
      );
      await e2e.requireReboot();
      e2e.startDaemons();
      await e2e.waitFor(`every node rebooted and back, only ${cordoned} cordoned, the lock free`, () =>
        e2e.atRest({ cordoned: [cordoned] }),
      );

      expect(e2e.rebootCounts(), "reboot requests per node").toEqual(e2e.perNode(1));
      expect([...e2e.lock.acquisitions()].sort(), "lock acquisitions").toEqual([...e2e.nodes].sort());
      expect(e2e.lock.maxHolders()).toBeLessThanOrEqual(concurrency);
      expect(await e2e.unschedulableNodes()).toEqual([cordoned]);
      // cordoned once by the admin and never made schedulable; the others cordoned and uncordoned by kured
      expect(e2e.cordons.cordonCounts(), "cordons per node").toEqual(e2e.perNode(1));
      expect(e2e.cordons.uncordonCounts(), "uncordons per node").toEqual(Object.fromEntries(others.map((n) => [n, 1])));
      expect(await e2e.lockHolders()).toEqual([]);
      expect(e2e.lock.gaps + e2e.cordons.gaps, "watch restarts that could have missed versions").toBe(0);
      expect(e2e.problems).toEqual([]);
    },
  );
});
