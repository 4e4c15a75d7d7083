import { describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.js";
import { describeLockBackendContract } from "./lock-backend-contract.js";
import { MemoryLock } from "./memory-lock-backend.js";

const live = (): AbortSignal => new AbortController().signal;

describeLockBackendContract("MemoryLock", () => {
  const clock = new VirtualClock();
  return {
    clock,
    backends: ({ capacity, count }) => {
      const lock = new MemoryLock({ capacity, clock });
      return Array.from({ length: count }, () => lock.backend());
    },
    expiring: {
      ttlMs: 60_000,
      backends: ({ capacity, count }) => {
        const lock = new MemoryLock({ capacity, clock, ttlMs: 60_000 });
        return Array.from({ length: count }, () => lock.backend());
      },
      elapse: (ms) => clock.advance(ms),
    },
  };
});

describe("MemoryLock", () => {
  it("refuses every acquire while locked manually, saying so", async () => {
    const lock = new MemoryLock({ capacity: 2 });
    const backend = lock.backend();
    lock.lockManually("maintenance");
    const result = await backend.acquire({ holder: "node-1", wasUnschedulable: false, signal: live() });
    expect(result).toMatchObject({
      acquired: false,
      reason: { code: "lock-held-manually", message: "the lock is held manually: maintenance" },
    });
    expect(lock.state().manual?.reason).toBe("maintenance");
    lock.unlockManually();
    expect((await backend.acquire({ holder: "node-1", wasUnschedulable: false, signal: live() })).acquired).toBe(true);
    expect(lock.state().manual).toBeUndefined();
  });

  it("stamps slots with its clock, and expires them lazily", async () => {
    const clock = new VirtualClock();
    const lock = new MemoryLock({ clock, ttlMs: 1000 });
    const result = await lock.backend().acquire({ holder: "node-1", wasUnschedulable: false, signal: live() });
    expect(result).toMatchObject({
      acquired: true,
      slot: { acquiredAt: clock.now(), expiresAt: new Date(clock.now().getTime() + 1000) },
    });
    await clock.advance(1000);
    expect(lock.state().holders).toEqual([]);
  });

  it("yields the current state, then one state per change burst, to changes()", async () => {
    const lock = new MemoryLock({ capacity: 2 });
    const backend = lock.backend();
    const controller = new AbortController();
    const seen: string[][] = [];
    const done = (async () => {
      for await (const state of backend.changes({ signal: controller.signal })) {
        seen.push(state.holders.map((h) => h.holder));
        if (seen.length === 3) controller.abort();
      }
    })();
    await new Promise((resolve) => setImmediate(resolve));
    await backend.acquire({ holder: "a", wasUnschedulable: false, signal: live() });
    await new Promise((resolve) => setImmediate(resolve));
    await backend.acquire({ holder: "b", wasUnschedulable: false, signal: live() });
    await done;
    expect(seen).toEqual([[], ["a"], ["a", "b"]]);
  });

  it("rejects a capacity below 1", () => {
    expect(() => new MemoryLock({ capacity: 0 })).toThrow(RangeError);
  });
});
