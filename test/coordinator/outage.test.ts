import type { Checkpoint } from "@kured/core";
import { afterEach, describe, expect, it } from "vitest";
import { closeWorld, daemon, HOUR, makeWorld, MINUTE, readNode, until, type World } from "../support/world.js";

let world: World | undefined;
afterEach(async () => {
  await closeWorld(world);
  world = undefined;
});

const PHASES: readonly Checkpoint[] = [
  "lock-acquired",
  "pre-labels",
  "cordoned",
  "mid-drain",
  "drained",
  "reboot-delay",
  "uncordoned",
];

describe.each(["memory", "daemonset"] as const)("an API server outage of 10 minutes (%s lock)", (lock) => {
  it.each(PHASES)("at %s: no crash, no reboot without the lock, the cycle resumes", async (point) => {
    const w = (world = await makeWorld({ nodes: 1, lock }));
    w.hosts.needsReboot.add("node-1");
    let outages = 0;
    let rebootsWithoutLock = 0;
    const d = daemon(w, "node-1", {
      settings: { rebootDelayMs: MINUTE, postRebootLabels: [{ key: "kured.dev/state", value: "done" }] },
      onCheckpoint: (p) => {
        if (p === point && outages === 0) {
          outages++;
          w.cluster.server!.faults.outage(10 * MINUTE);
        }
      },
      onReboot: async () => {
        if (!(await w.lockState()).holders.some((h) => h.holder === "node-1")) rebootsWithoutLock++;
      },
    });
    await d.start();
    await until(w, () => outages === 1);
    const startedAt = w.clock.now().getTime();
    await until(
      w,
      async () => {
        // the test's own reads fail during the outage too
        const lock = await w.lockState().catch(() => undefined);
        if (w.hosts.reboots.get("node-1") !== 1 || lock?.holders.length !== 0) return false;
        const n = await readNode(w, "node-1").catch(() => undefined); // the test's own reads fail in the outage too
        return n?.metadata?.labels?.["kured.dev/state"] === "done";
      },
      24 * HOUR,
    );
    expect(w.clock.now().getTime() - startedAt).toBeGreaterThanOrEqual(10 * MINUTE);
    expect(d.isRunning).toBe(true);
    expect(d.processStarts).toBe(2); // the first process and the one after the reboot: no crash
    expect(rebootsWithoutLock).toBe(0);
    expect((await readNode(w, "node-1")).spec?.unschedulable).toBeFalsy();
    // after "uncordoned" the next API call comes only after the outage is over
    if (point !== "uncordoned") expect(w.events.some((e) => e.phase === "error")).toBe(true);
  });
});
