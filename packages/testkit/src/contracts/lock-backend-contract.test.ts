import type { AcquireResult, LockBackend, LockSlot, LockState } from "@kured/core";
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.js";
import { runContractCheck } from "./contract-check.js";
import { lockBackendChecks, type LockBackendContractFixture } from "./lock-backend-contract.js";
import { MemoryLock } from "./memory-lock-backend.js";

/** Ways a lock backend can be wrong; the toy below has each one on demand. */
type Defect =
  | "bad-id"
  | "ignores-capacity"
  | "second-slot-on-reacquire"
  | "release-by-anyone"
  | "check-then-act"
  | "hangs-when-aborted"
  | "changes-silent"
  | "changes-ignores-abort"
  | "bad-busy-reason"
  | "holding-blind"
  | "loses-wasUnschedulable"
  | "seconds-as-ms"
  | "takes-slot-then-rejects-abort"
  | "never-expires";

/** A deliberately simple lock backend with switchable defects, to prove the suite catches each. */
function toyLock(capacity: number, count: number, defects: readonly Defect[], clock: VirtualClock, ttlMs = 0) {
  const has = (d: Defect): boolean => defects.includes(d);
  let holders: LockSlot[] = [];
  let listeners: (() => void)[] = [];
  const changed = (): void => {
    const l = listeners;
    listeners = [];
    for (const f of l) f();
  };
  const expire = (): void => {
    if (has("never-expires")) return;
    holders = holders.filter((h) => !h.expiresAt || h.expiresAt > clock.now());
  };
  const state = (): LockState => ({ capacity, holders: [...holders], queue: [] });
  const hang = (signal: AbortSignal): Promise<never> | undefined =>
    signal.aborted && has("hangs-when-aborted") ? new Promise<never>(() => {}) : undefined;
  const backend: LockBackend = {
    id: has("bad-id") ? "ToyLock" : "toy",
    async acquire({ holder, wasUnschedulable, signal }): Promise<AcquireResult> {
      const hung = hang(signal);
      if (hung) return hung;
      if (!has("takes-slot-then-rejects-abort")) signal.throwIfAborted();
      expire();
      const existing = holders.find((h) => h.holder === holder);
      if (existing && !has("second-slot-on-reacquire")) return { acquired: true, slot: existing };
      const taken = holders.length;
      if (has("check-then-act")) await new Promise((resolve) => setImmediate(resolve));
      if (taken >= capacity && !has("ignores-capacity")) {
        const reason = has("bad-busy-reason")
          ? { code: "LockBusy", message: "" }
          : { code: "lock-busy", message: "no free slot" };
        return { acquired: false, holders: [...holders], reason };
      }
      const now = clock.now().getTime();
      const slot: LockSlot = {
        holder,
        acquiredAt: new Date(has("seconds-as-ms") ? Math.floor(now / 1000) : now),
        wasUnschedulable: has("loses-wasUnschedulable") ? false : wasUnschedulable,
        ...(ttlMs > 0 ? { expiresAt: new Date(now + ttlMs) } : {}),
      };
      holders.push(slot);
      changed();
      signal.throwIfAborted();
      return { acquired: true, slot };
    },
    async holding({ holder, signal }) {
      const hung = hang(signal);
      if (hung) return hung;
      signal.throwIfAborted();
      expire();
      return has("holding-blind") ? undefined : holders.find((h) => h.holder === holder);
    },
    async release({ holder, signal }) {
      signal.throwIfAborted();
      const before = holders.length;
      if (has("release-by-anyone")) holders = holders.slice(1);
      else holders = holders.filter((h) => h.holder !== holder);
      if (holders.length !== before) changed();
    },
    async inspect({ signal }) {
      const hung = hang(signal);
      if (hung) return hung;
      signal.throwIfAborted();
      expire();
      return state();
    },
    async *changes({ signal }) {
      const aborted = new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
      yield state();
      while (has("changes-ignores-abort") || !signal.aborted) {
        const next = new Promise<void>((resolve) => listeners.push(resolve));
        await (has("changes-ignores-abort") ? next : Promise.race([next, aborted]));
        if (signal.aborted && !has("changes-ignores-abort")) return;
        if (!has("changes-silent")) yield state();
      }
    },
  };
  return Array.from({ length: count }, () => backend);
}

function fixture(defects: readonly Defect[]): LockBackendContractFixture {
  const clock = new VirtualClock();
  return {
    clock,
    backends: ({ capacity, count }) => toyLock(capacity, count, defects, clock),
    expiring: {
      ttlMs: 10_000,
      backends: ({ capacity, count }) => toyLock(capacity, count, defects, clock, 10_000),
      elapse: (ms) => clock.advance(ms),
    },
    abortTimeoutMs: 200,
    changeTimeoutMs: 300,
  };
}

async function failedChecks(make: () => LockBackendContractFixture): Promise<string[]> {
  // Every check builds its own fixture, so they can run side by side.
  const outcomes = await Promise.all(lockBackendChecks.map((check) => runContractCheck(check, make)));
  return lockBackendChecks.filter((_, i) => outcomes[i]?.status === "failed").map((c) => c.name);
}

const CHECK = {
  id: "has a kebab-case id",
  acquire: "acquire by a holder of a free lock succeeds with a well-formed slot",
  holding: "holding() agrees with acquire and release, from every node's backend",
  reacquire: "re-acquire by the same holder succeeds without taking a second slot",
  busy: "a full lock answers busy, with the holders and a reason",
  concurrent: "never exceeds the capacity with concurrent acquirers (exactly min(N, capacity) acquire)",
  nonHolder: "release by a non-holder changes nothing",
  release: "release frees the slot for the next acquirer; releasing twice is harmless",
  inspect: "inspect() reports the capacity and every holder with its slot",
  changes: "changes() yields the new state soon after a release, and ends when its signal aborts",
  changesAbort: "changes() ends when its signal aborts while it waits, and at once for an aborted signal",
  aborted: "honours an already aborted signal on every call, and an aborted acquire takes no slot",
  interleaved: "keeps holders within the capacity, and loses no slot, under interleaved acquires and releases",
  expiry: "an expired slot no longer counts and can be taken by the next acquirer",
  adopt: "adopt takes a slot only as it was seen: a slot renewed since stays with its process",
} as const;

describe("lockBackendChecks", () => {
  it("names every check once", () => {
    expect(lockBackendChecks.map((c) => c.name).sort()).toEqual(Object.values(CHECK).sort());
  });

  it("passes the reference MemoryLock and a defect-free toy", async () => {
    expect(await failedChecks(() => fixture([]))).toEqual([]);
    const clock = new VirtualClock();
    const memory = await failedChecks(() => ({
      clock,
      backends: ({ capacity, count }) => {
        const lock = new MemoryLock({ capacity, clock });
        return Array.from({ length: count }, () => lock.backend());
      },
    }));
    expect(memory).toEqual([]);
  });

  // Concurrent: the slow cases only wait for the suite's timeouts, each on a lock of its own.
  it.concurrent.each<[Defect, string[]]>([
    ["bad-id", [CHECK.id]],
    ["ignores-capacity", [CHECK.busy, CHECK.concurrent, CHECK.release, CHECK.interleaved]],
    ["second-slot-on-reacquire", [CHECK.reacquire]],
    ["release-by-anyone", [CHECK.nonHolder]],
    ["check-then-act", [CHECK.concurrent]],
    ["hangs-when-aborted", [CHECK.aborted]],
    ["changes-silent", [CHECK.changes]],
    ["changes-ignores-abort", [CHECK.changesAbort]],
    ["bad-busy-reason", [CHECK.busy]],
    ["holding-blind", [CHECK.holding]],
    ["loses-wasUnschedulable", [CHECK.acquire, CHECK.inspect]],
    ["seconds-as-ms", [CHECK.acquire]],
    ["takes-slot-then-rejects-abort", [CHECK.aborted]],
    ["never-expires", [CHECK.expiry]],
  ])("catches a backend that %s", async (defect, expected) => {
    const failed = await failedChecks(() => fixture([defect]));
    expect(failed).toEqual(expect.arrayContaining(expected));
  });

  it("reports a check that needs an optional part of the fixture as skipped, with the reason", async () => {
    const expiry = lockBackendChecks.find((c) => c.name === CHECK.expiry);
    const outcome = await runContractCheck(expiry!, () => ({ backends: () => [] }));
    expect(outcome).toEqual({ status: "skipped", reason: "the fixture has no expiring backends" });
  });
});
