import {
  systemClock,
  type AcquireResult,
  type Clock,
  type LockBackend,
  type LockSlot,
  type LockState,
} from "@kured/core";
import { expect } from "vitest";
import {
  describeContract,
  notApplicable,
  type ContractCheck,
  type ContractFactory,
  type ContractFixtureBase,
} from "./contract-check.js";
import { abortedSignal, expectKebabCaseId, expectReason, settlesWithin, withTimeout } from "./guards.js";

/** How many backends, sharing one fresh lock of how many slots. */
export interface LockBackendsRequest {
  readonly capacity: number;
  readonly count: number;
}

/** Creates `count` backends — one per node, `node-1` … `node-<count>` — sharing one fresh lock. */
export type LockBackendsFactory = (
  request: LockBackendsRequest,
) => readonly LockBackend[] | Promise<readonly LockBackend[]>;

/** What the lock backend suite needs. */
export interface LockBackendContractFixture extends ContractFixtureBase {
  /** called once for every fresh lock a check needs */
  readonly backends: LockBackendsFactory;
  /** the clock the backends stamp slots with; default the system clock */
  readonly clock?: Clock;
  /** for the expiry check: backends whose slots expire after `ttlMs`, and a way to let that time pass */
  readonly expiring?: {
    readonly backends: LockBackendsFactory;
    readonly ttlMs: number;
    /** lets `ms` pass on the backends' clock (e.g. `virtualClock.advance`) */
    readonly elapse: (ms: number) => Promise<void>;
  };
  /** real ms one call may take; default 5000 */
  readonly timeoutMs?: number;
  /** real ms a call with an aborted signal, or an iteration after its signal aborted, may take; default 1000 */
  readonly abortTimeoutMs?: number;
  /** real ms within which `changes()` must yield the state after a release; default 2000 */
  readonly changeTimeoutMs?: number;
}

const node = (i: number): string => `node-${i + 1}`;
const live = (): AbortSignal => new AbortController().signal;

/** Calls one backend method in normal operation: it must resolve in time. */
async function call<T>(f: LockBackendContractFixture, what: string, work: () => Promise<T>): Promise<T> {
  const outcome = await settlesWithin(work, f.timeoutMs ?? 5000, what);
  if (!outcome.ok) throw new Error(`${what} rejected: ${String(outcome.error)}`, { cause: outcome.error });
  return outcome.value;
}

async function fresh(f: LockBackendContractFixture, capacity: number, count: number): Promise<readonly LockBackend[]> {
  const backends = await f.backends({ capacity, count });
  expect(backends.length, `backends({ capacity: ${capacity}, count: ${count} }) length`).toBe(count);
  return backends;
}

const acquire = (f: LockBackendContractFixture, b: LockBackend, holder: string, wasUnschedulable = false) =>
  call(f, `acquire(${holder})`, () => b.acquire({ holder, wasUnschedulable, signal: live() }));
const release = (f: LockBackendContractFixture, b: LockBackend, holder: string) =>
  call(f, `release(${holder})`, () => b.release({ holder, signal: live() }));
const holding = (f: LockBackendContractFixture, b: LockBackend, holder: string) =>
  call(f, `holding(${holder})`, () => b.holding({ holder, signal: live() }));
const inspect = (f: LockBackendContractFixture, b: LockBackend) =>
  call(f, "inspect()", () => b.inspect({ signal: live() }));

const holderNames = (state: LockState): string[] => state.holders.map((h) => h.holder).sort();

function expectSlot(f: LockBackendContractFixture, slot: LockSlot | undefined, holder: string, what: string): void {
  expect(slot, `${what}: slot`).toBeTypeOf("object");
  const s = slot as LockSlot;
  expect(s.holder, `${what}: slot.holder`).toBe(holder);
  expect(typeof s.wasUnschedulable, `${what}: slot.wasUnschedulable`).toBe("boolean");
  expect(
    s.acquiredAt instanceof Date && !Number.isNaN(s.acquiredAt.getTime()),
    `${what}: slot.acquiredAt is a Date`,
  ).toBe(true);
  // Catches wrong units and time zones; a minute of slack allows whole-second timestamps.
  const skew = Math.abs(s.acquiredAt.getTime() - (f.clock ?? systemClock).now().getTime());
  expect(skew, `${what}: slot.acquiredAt is ${s.acquiredAt.toISOString()}, far from the clock's now`).toBeLessThan(
    60_000,
  );
  if (s.expiresAt !== undefined) {
    expect(s.expiresAt instanceof Date && s.expiresAt > s.acquiredAt, `${what}: slot.expiresAt after acquiredAt`).toBe(
      true,
    );
  }
}

function expectAcquired(
  result: AcquireResult,
  what: string,
): asserts result is Extract<AcquireResult, { acquired: true }> {
  expect(result.acquired, `${what}: acquired`).toBe(true);
}

/** Iterates `changes()` in the background, remembering what it yielded. */
function watch(backend: LockBackend, signal: AbortSignal) {
  const iterator = backend.changes({ signal })[Symbol.asyncIterator]();
  const seen: LockState[] = [];
  let first: () => void = () => {};
  const firstValue = new Promise<void>((resolve) => (first = resolve));
  const until = async (predicate: (state: LockState) => boolean): Promise<LockState> => {
    for (;;) {
      const r = await iterator.next();
      if (r.done) throw new Error("changes() ended before its signal aborted");
      seen.push(r.value);
      first();
      if (predicate(r.value)) return r.value;
    }
  };
  return { iterator, seen, firstValue, until };
}

function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Asserts that an iterator whose signal aborted ends (done, or a rejection) within the guard, after at most one last state. */
async function expectEnds(
  f: LockBackendContractFixture,
  pending: Promise<IteratorResult<LockState>>,
  iterator: AsyncIterator<LockState>,
  what: string,
): Promise<void> {
  const ms = f.abortTimeoutMs ?? 1000;
  const first = await settlesWithin(() => pending, ms, what);
  if (!first.ok || first.value.done) return;
  const second = await settlesWithin(() => iterator.next(), ms, `${what} (after one last state)`);
  if (second.ok) expect(second.value.done, `${what}: iteration ended`).toBe(true);
}

/** The lock backend contract, one check per promise; `describeLockBackendContract` runs them as tests. */
export const lockBackendChecks: readonly ContractCheck<LockBackendContractFixture>[] = [
  {
    name: "has a kebab-case id",
    run: async (f) => {
      const [b] = await fresh(f, 1, 1);
      expectKebabCaseId(b?.id, "lock backend");
    },
  },
  {
    name: "acquire by a holder of a free lock succeeds with a well-formed slot",
    run: async (f) => {
      const [b] = (await fresh(f, 1, 1)) as [LockBackend];
      const result = await acquire(f, b, "node-1", true);
      expectAcquired(result, "acquire(node-1) of a free lock");
      expectSlot(f, result.slot, "node-1", "acquire(node-1)");
      expect(result.slot.wasUnschedulable, "slot.wasUnschedulable echoes the request").toBe(true);
    },
  },
  {
    name: "holding() agrees with acquire and release, from every node's backend",
    run: async (f) => {
      const [a, b] = (await fresh(f, 1, 2)) as [LockBackend, LockBackend];
      expect(await holding(f, a, "node-1"), "holding(node-1) before acquire").toBeUndefined();
      expectAcquired(await acquire(f, a, "node-1"), "acquire(node-1)");
      expectSlot(f, await holding(f, a, "node-1"), "node-1", "holding(node-1) after acquire");
      expectSlot(f, await holding(f, b, "node-1"), "node-1", "holding(node-1) seen by node-2's backend");
      expect(await holding(f, b, "node-2"), "holding(node-2), who never acquired").toBeUndefined();
      await release(f, a, "node-1");
      expect(await holding(f, a, "node-1"), "holding(node-1) after release").toBeUndefined();
      expect(await holding(f, b, "node-1"), "holding(node-1) after release, seen by node-2").toBeUndefined();
    },
  },
  {
    name: "re-acquire by the same holder succeeds without taking a second slot",
    run: async (f) => {
      const [a, b] = (await fresh(f, 2, 2)) as [LockBackend, LockBackend];
      expectAcquired(await acquire(f, a, "node-1"), "first acquire(node-1)");
      expectAcquired(await acquire(f, a, "node-1"), "second acquire(node-1)");
      expect(holderNames(await inspect(f, a)), "holders after acquiring twice").toEqual(["node-1"]);
      expectAcquired(await acquire(f, b, "node-2"), "acquire(node-2) of the second slot");
      expect(holderNames(await inspect(f, b)), "holders").toEqual(["node-1", "node-2"]);
    },
  },
  {
    name: "a full lock answers busy, with the holders and a reason",
    run: async (f) => {
      const [a, b] = (await fresh(f, 1, 2)) as [LockBackend, LockBackend];
      expectAcquired(await acquire(f, a, "node-1"), "acquire(node-1)");
      const busy = await acquire(f, b, "node-2");
      expect(busy.acquired, "acquire(node-2) of a full lock").toBe(false);
      if (busy.acquired) return;
      expect(
        busy.holders.map((h) => h.holder),
        "holders in the busy answer",
      ).toEqual(["node-1"]);
      expectReason(busy.reason, "a busy answer");
      expect(await holding(f, b, "node-2"), "holding(node-2) after a busy answer").toBeUndefined();
      expect(holderNames(await inspect(f, b)), "holders").toEqual(["node-1"]);
    },
  },
  {
    name: "never exceeds the capacity with concurrent acquirers (exactly min(N, capacity) acquire)",
    run: async (f) => {
      for (const [count, capacity] of [
        [5, 1],
        [5, 2],
        [3, 3],
        [2, 4],
      ] as const) {
        const backends = await fresh(f, capacity, count);
        const results = await Promise.all(backends.map((b, i) => acquire(f, b, node(i))));
        const winners = backends.map((_, i) => node(i)).filter((_, i) => results[i]?.acquired);
        const what = `${count} concurrent acquirers, capacity ${capacity}`;
        expect(winners.length, `${what}: acquired`).toBe(Math.min(count, capacity));
        const state = await inspect(f, backends[0] as LockBackend);
        expect(holderNames(state), `${what}: holders in inspect()`).toEqual(winners.sort());
      }
    },
  },
  {
    name: "release by a non-holder changes nothing",
    run: async (f) => {
      const [a, b, c] = (await fresh(f, 2, 3)) as [LockBackend, LockBackend, LockBackend];
      expectAcquired(await acquire(f, a, "node-1"), "acquire(node-1)");
      const before = await inspect(f, a);
      await release(f, b, "node-2");
      await release(f, c, "node-3");
      const after = await inspect(f, a);
      expect(holderNames(after), "holders after releases by non-holders").toEqual(["node-1"]);
      expect(after.holders[0]?.acquiredAt.getTime(), "node-1's slot is untouched").toBe(
        before.holders[0]?.acquiredAt.getTime(),
      );
      expectSlot(f, await holding(f, a, "node-1"), "node-1", "holding(node-1)");
    },
  },
  {
    name: "release frees the slot for the next acquirer; releasing twice is harmless",
    run: async (f) => {
      const [a, b] = (await fresh(f, 1, 2)) as [LockBackend, LockBackend];
      expectAcquired(await acquire(f, a, "node-1"), "acquire(node-1)");
      expect((await acquire(f, b, "node-2")).acquired, "acquire(node-2) while node-1 holds").toBe(false);
      await release(f, a, "node-1");
      await release(f, a, "node-1");
      expectAcquired(await acquire(f, b, "node-2"), "acquire(node-2) after node-1 released");
      expect(holderNames(await inspect(f, a)), "holders").toEqual(["node-2"]);
    },
  },
  {
    name: "inspect() reports the capacity and every holder with its slot",
    run: async (f) => {
      const [a, b, c] = (await fresh(f, 3, 3)) as [LockBackend, LockBackend, LockBackend];
      expectAcquired(await acquire(f, a, "node-1", false), "acquire(node-1)");
      expectAcquired(await acquire(f, b, "node-2", true), "acquire(node-2)");
      const state = await inspect(f, c);
      expect(state.capacity, "capacity").toBe(3);
      expect(Array.isArray(state.queue), "queue is an array").toBe(true);
      expect(holderNames(state), "holders").toEqual(["node-1", "node-2"]);
      for (const slot of state.holders) expectSlot(f, slot, slot.holder, `inspect() slot of ${slot.holder}`);
      const flags = Object.fromEntries(state.holders.map((h) => [h.holder, h.wasUnschedulable]));
      expect(flags, "wasUnschedulable per holder").toEqual({ "node-1": false, "node-2": true });
    },
  },
  {
    name: "changes() yields the new state soon after a release, and ends when its signal aborts",
    run: async (f) => {
      const [a, b] = (await fresh(f, 1, 2)) as [LockBackend, LockBackend];
      expectAcquired(await acquire(f, a, "node-1"), "acquire(node-1)");
      const controller = new AbortController();
      const w = watch(b, controller.signal);
      const free = w.until((state) => !state.holders.some((h) => h.holder === "node-1"));
      free.catch(() => undefined); // awaited below; a rejection before then must not go unhandled
      // Give a watch-based backend a moment to start watching before the change it must report.
      await Promise.race([w.firstValue, realDelay(200)]);
      await release(f, a, "node-1");
      try {
        await withTimeout(free, f.changeTimeoutMs ?? 2000, "changes() yielding the state after a release");
      } finally {
        controller.abort(new Error("aborted by the contract suite"));
      }
      await expectEnds(f, w.iterator.next(), w.iterator, "changes() after its signal aborted");
    },
  },
  {
    name: "changes() ends when its signal aborts while it waits, and at once for an aborted signal",
    run: async (f) => {
      const [b] = (await fresh(f, 1, 1)) as [LockBackend];
      const controller = new AbortController();
      const iterator = b.changes({ signal: controller.signal })[Symbol.asyncIterator]();
      let pending = iterator.next();
      // Take what it yields at once (the current state, if it does that) until it waits.
      for (let i = 0; i < 5; i++) {
        const r = await Promise.race([pending, realDelay(50).then(() => "waiting" as const)]);
        if (r === "waiting") break;
        if (r.done) throw new Error("changes() ended before its signal aborted");
        pending = iterator.next();
      }
      controller.abort(new Error("aborted by the contract suite"));
      await expectEnds(f, pending, iterator, "changes() aborted while waiting");
      const aborted = b.changes({ signal: abortedSignal() })[Symbol.asyncIterator]();
      await expectEnds(f, aborted.next(), aborted, "changes() with an already aborted signal");
    },
  },
  {
    name: "honours an already aborted signal on every call, and an aborted acquire takes no slot",
    run: async (f) => {
      const [b] = (await fresh(f, 1, 1)) as [LockBackend];
      const ms = f.abortTimeoutMs ?? 1000;
      const acquired = await settlesWithin(
        () => b.acquire({ holder: "node-1", wasUnschedulable: false, signal: abortedSignal() }),
        ms,
        "acquire() with an aborted signal",
      );
      await settlesWithin(
        () => b.holding({ holder: "node-1", signal: abortedSignal() }),
        ms,
        "holding() with an aborted signal",
      );
      await settlesWithin(() => b.inspect({ signal: abortedSignal() }), ms, "inspect() with an aborted signal");
      if (!acquired.ok) {
        expect(await holding(f, b, "node-1"), "holding(node-1) after an acquire that rejected").toBeUndefined();
      }
      expectAcquired(await acquire(f, b, "node-1"), "acquire(node-1) with a live signal");
      await settlesWithin(
        () => b.release({ holder: "node-1", signal: abortedSignal() }),
        ms,
        "release() with an aborted signal",
      );
    },
  },
  {
    name: "keeps holders within the capacity, and loses no slot, under interleaved acquires and releases",
    run: async (f) => {
      const capacity = 2;
      const backends = await fresh(f, capacity, 6);
      const holds = new Set<string>();
      for (let round = 0; round < 6; round++) {
        await Promise.all(
          backends.map(async (b, i) => {
            const name = node(i);
            if (holds.has(name)) {
              if ((round + i) % 2 === 0) {
                await release(f, b, name);
                holds.delete(name);
              }
            } else if ((await acquire(f, b, name)).acquired) {
              holds.add(name);
            }
          }),
        );
        const state = await inspect(f, backends[0] as LockBackend);
        expect(state.holders.length, `round ${round}: holders`).toBeLessThanOrEqual(capacity);
        expect(holderNames(state), `round ${round}: holders are those told they acquired`).toEqual([...holds].sort());
      }
      await Promise.all(backends.map((b, i) => release(f, b, node(i))));
      const results = await Promise.all(backends.map((b, i) => acquire(f, b, node(i))));
      expect(results.filter((r) => r.acquired).length, "acquired after everyone released").toBe(capacity);
    },
  },
  {
    name: "an expired slot no longer counts and can be taken by the next acquirer",
    run: async (f) => {
      const expiring = f.expiring;
      if (!expiring) notApplicable("the fixture has no expiring backends");
      const [a, b] = (await expiring.backends({ capacity: 1, count: 2 })) as [LockBackend, LockBackend];
      const result = await acquire(f, a, "node-1");
      expectAcquired(result, "acquire(node-1)");
      expect(result.slot.expiresAt, "slot.expiresAt of an expiring lock").toBeInstanceOf(Date);
      expect((await acquire(f, b, "node-2")).acquired, "acquire(node-2) before expiry").toBe(false);
      await expiring.elapse(expiring.ttlMs + 1000);
      expectAcquired(await acquire(f, b, "node-2"), "acquire(node-2) after node-1's slot expired");
      expect(holderNames(await inspect(f, b)), "holders after expiry").toEqual(["node-2"]);
    },
  },
  {
    name: "adopt takes a slot only as it was seen: a slot renewed since stays with its process",
    run: async (f) => {
      const expiring = f.expiring;
      if (!expiring) notApplicable("the fixture has no expiring backends (time must pass between heartbeats)");
      const [a, b] = (await expiring.backends({ capacity: 1, count: 2 })) as [LockBackend, LockBackend];
      if (!a.adopt || !a.renew) notApplicable("the backend has no adopt or renew");
      const taken = await call(f, "acquire(node-1, process p1)", () =>
        a.acquire({ holder: "node-1", process: "p1", wasUnschedulable: false, signal: live() }),
      );
      expectAcquired(taken, "acquire(node-1, process p1)");
      const seen = await holding(f, b, "node-1");
      expect(seen?.process, "holding(node-1).process").toBe("p1");
      await expiring.elapse(Math.min(1000, expiring.ttlMs / 4));
      const renewed = await call(f, "renew(node-1, p1)", () =>
        (a.renew as NonNullable<LockBackend["renew"]>)({ holder: "node-1", process: "p1", signal: live() }),
      );
      expect(renewed?.process, "renew(node-1, p1).process").toBe("p1");
      const adoptAsSeen = (slot: LockSlot, what: string) =>
        call(f, `adopt(node-1, p1 → p2, ${what} heartbeat)`, () =>
          (b.adopt as NonNullable<LockBackend["adopt"]>)({
            holder: "node-1",
            process: "p2",
            from: "p1",
            heartbeat: slot.renewedAt ?? slot.acquiredAt,
            signal: live(),
          }),
        );
      // b judged the slot abandoned from its earlier read; p1 renewed since: the adopt must fail
      const adopted = await adoptAsSeen(seen as LockSlot, "old");
      expect(adopted, "adopt with a heartbeat older than the slot's last renewal").toBeUndefined();
      const current = (await holding(f, b, "node-1")) as LockSlot;
      expect(current?.process, "the slot's process after the refused adopt").toBe("p1");
      const fresh = await adoptAsSeen(current, "current");
      expect(fresh?.process, "adopt with the slot's current heartbeat").toBe("p2");
    },
  },
];

/** Registers vitest tests that check `factory`'s lock backends against the LockBackend contract. */
export function describeLockBackendContract(name: string, factory: ContractFactory<LockBackendContractFixture>): void {
  describeContract(`LockBackend contract: ${name}`, lockBackendChecks, factory);
}
