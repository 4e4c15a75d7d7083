import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  planAcquire,
  planAdopt,
  planRelease,
  planRenew,
  type PlanSettings,
  type PlannedWrite,
} from "./annotation-lock-plan.js";
import { backoffDelay } from "./backoff.js";
import { formatLockAnnotation, parseLockAnnotation, type LockAnnotation } from "./lock-annotation.js";
import { mayAcquireNow } from "./lock-queue.js";

const MINUTE = 60_000;
const NOW = new Date("2026-01-05T12:00:00Z");
const settings = (concurrency = 1): PlanSettings => ({
  concurrency,
  ttl: 0n,
  staleMs: 2 * 60 * MINUTE,
  refreshAfterMs: 30 * MINUTE,
});
const ago = (minutes: number): string => new Date(NOW.getTime() - minutes * MINUTE).toISOString().replace(".000Z", "Z");
const entry = (node: string, createdMinutesAgo = 5, ttl = 0): string =>
  `{"nodeID":"${node}","metadata":{"unschedulable":false},"created":"${ago(createdMinutesAgo)}","TTL":${ttl}}`;
const queued = (node: string, sinceMinutesAgo: number, refreshedMinutesAgo = sinceMinutesAgo): string =>
  `{"nodeID":"${node}","since":"${ago(sinceMinutesAgo)}","refreshed":"${ago(refreshedMinutesAgo)}"}`;
const lock = (value: string, concurrency = 1): LockAnnotation => parseLockAnnotation(value, { concurrency });
/** The written value as text, `remove`, or undefined for no write. */
const text = (write: PlannedWrite): string | undefined =>
  write === undefined || write === "remove"
    ? write
    : formatLockAnnotation(write.lock, { concurrency: write.concurrency });

describe("planAcquire", () => {
  it.each([
    {
      story: "a free lock is taken",
      value: undefined,
      node: "n1",
      acquired: true,
      write: `{"nodeID":"n1","metadata":{"unschedulable":false},"created":"2026-01-05T12:00:00Z","TTL":0}`,
    },
    {
      story: "the holder asking again gets its slot, and nothing is written",
      value: entry("n1"),
      node: "n1",
      acquired: true,
      write: undefined,
    },
    {
      story: "a busy lock queues the asker after the holder's bytes",
      value: entry("n1"),
      node: "n2",
      acquired: false,
      write: `${entry("n1").slice(0, -1)},"queue":[{"nodeID":"n2","since":"2026-01-05T12:00:00Z","refreshed":"2026-01-05T12:00:00Z"}]}`,
    },
    {
      story: "a queued node asking again within half a period writes nothing",
      value: `${entry("n1").slice(0, -1)},"queue":[${queued("n2", 10)}]}`,
      node: "n2",
      acquired: false,
      write: undefined,
    },
    {
      story: "a queued node asking after half a period refreshes its entry, keeping its place",
      value: `${entry("n1").slice(0, -1)},"queue":[${queued("n2", 50)},${queued("n3", 40)}]}`,
      node: "n2",
      acquired: false,
      write: `${entry("n1").slice(0, -1)},"queue":[${queued("n2", 50, 0)},${queued("n3", 40)}]}`,
    },
    {
      story: "a freed slot is promised to the head of the queue, not to a newcomer",
      value: `{"maxOwners":2,"locks":[${entry("n1")}],"queue":[${queued("n2", 10)}]}`,
      node: "n3",
      concurrency: 2,
      acquired: false,
      write: `{"maxOwners":2,"locks":[${entry("n1")}],"queue":[${queued("n2", 10)},${queued("n3", 0)}]}`,
    },
    {
      story: "the head of the queue takes the freed slot and leaves the queue",
      value: `{"maxOwners":2,"locks":[${entry("n1")}],"queue":[${queued("n2", 10)},${queued("n3", 5)}]}`,
      node: "n2",
      concurrency: 2,
      acquired: true,
      write: `{"maxOwners":2,"locks":[${entry("n1")},{"nodeID":"n2","metadata":{"unschedulable":false},"created":"2026-01-05T12:00:00Z","TTL":0}],"queue":[${queued("n3", 5)}]}`,
    },
    {
      story: "a head not refreshed for two periods is skipped (and dropped)",
      value: `{"maxOwners":2,"locks":[${entry("n1")}],"queue":[${queued("n2", 300, 121)},${queued("n3", 5)}]}`,
      node: "n3",
      concurrency: 2,
      acquired: true,
      write: `{"maxOwners":2,"locks":[${entry("n1")},{"nodeID":"n3","metadata":{"unschedulable":false},"created":"2026-01-05T12:00:00Z","TTL":0}]}`,
    },
    {
      story: "an expired holder no longer counts and is dropped",
      value: entry("n1", 31, 30 * 60 * 1e9),
      node: "n2",
      acquired: true,
      write: `{"nodeID":"n2","metadata":{"unschedulable":false},"created":"2026-01-05T12:00:00Z","TTL":0}`,
    },
    {
      story: "the manual lock refuses everyone and is never rewritten",
      value: `{"nodeID":"manual"}`,
      node: "n1",
      concurrency: 4,
      acquired: false,
      write: undefined,
    },
  ])("$story", ({ value, node, concurrency, acquired, write }) => {
    const plan = planAcquire(
      value === undefined ? undefined : lock(value, concurrency ?? 1),
      { holder: node, wasUnschedulable: false },
      settings(concurrency ?? 1),
      NOW,
    );
    expect(plan.acquired).toBe(acquired);
    expect(text(plan.write)).toBe(write);
  });

  it("drops a holder whose Node is gone and takes its slot", () => {
    const plan = planAcquire(
      lock(entry("ghost")),
      { holder: "n1", wasUnschedulable: true, gone: new Set(["ghost"]) },
      settings(),
      NOW,
    );
    expect(plan.acquired).toBe(true);
    expect(text(plan.write)).toBe(
      `{"nodeID":"n1","metadata":{"unschedulable":true},"created":"2026-01-05T12:00:00Z","TTL":0}`,
    );
  });

  it("does not queue into a multi-lock left behind at concurrency 1 that the single format cannot hold", () => {
    const plan = planAcquire(
      lock(`{"maxOwners":2,"locks":[${entry("n1")},${entry("n2")}]}`),
      { holder: "n3", wasUnschedulable: false },
      settings(),
      NOW,
    );
    expect(plan.acquired).toBe(false);
    expect(plan.write).toBeUndefined();
  });
});

describe("planRelease", () => {
  it.each([
    { story: "the only holder removes the annotation, as Go kured", value: entry("n1"), node: "n1", write: "remove" },
    { story: "a non-holder writes nothing", value: entry("n1"), node: "n2", write: undefined },
    {
      story: "a multi-lock keeps its shape with the other holders",
      value: `{"maxOwners":2,"locks":[${entry("n1")},${entry("n2")}]}`,
      concurrency: 2,
      node: "n1",
      write: `{"maxOwners":2,"locks":[${entry("n2")}]}`,
    },
    {
      story: "a waiting queue at concurrency 1 rides on a reservation that Go kured sees as held for two periods",
      value: `${entry("n1").slice(0, -1)},"queue":[${queued("n2", 10)}]}`,
      node: "n1",
      write: `{"nodeID":"","metadata":{"unschedulable":false},"created":"2026-01-05T12:00:00Z","TTL":7200000000000,"queue":[${queued("n2", 10)}]}`,
    },
    {
      story: "a multi-lock left behind at concurrency 1 stays a multi-lock while it has two holders",
      value: `{"maxOwners":3,"locks":[${entry("n1")},${entry("n2")},${entry("n3")}]}`,
      node: "n1",
      write: `{"maxOwners":3,"locks":[${entry("n2")},${entry("n3")}]}`,
    },
  ])("$story", ({ value, node, concurrency, write }) => {
    const plan = planRelease(lock(value, concurrency ?? 1), node, settings(concurrency ?? 1), NOW);
    expect(text(plan.write)).toBe(write);
  });
});

describe("mayAcquireNow (a waiter reading changes())", () => {
  const at = new Date(NOW);
  const q = (node: string) => ({ node, since: at, refreshedAt: at });
  const slot = (holder: string) => ({ holder, acquiredAt: at, wasUnschedulable: false });
  it.each([
    ["a free lock, nobody queued", { capacity: 1, holders: [], queue: [] }, "n1", true],
    ["a full lock", { capacity: 1, holders: [slot("n9")], queue: [] }, "n1", false],
    ["a free slot promised to the queue's head", { capacity: 1, holders: [], queue: [q("n2")] }, "n1", false],
    ["the queue's head", { capacity: 1, holders: [], queue: [q("n1"), q("n2")] }, "n1", true],
    ["second in the queue with two free slots", { capacity: 2, holders: [], queue: [q("n2"), q("n1")] }, "n1", true],
    ["the manual lock", { capacity: 3, holders: [], queue: [], manual: {} }, "n1", false],
  ] as const)("%s → %s", (_, state, node, expected) => {
    expect(mayAcquireNow(state, node)).toBe(expected);
  });
});

describe("backoff", () => {
  it("stays within [ceiling/2, ceiling] and never above the cap", () => {
    fc.assert(
      fc.property(fc.nat({ max: 100 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
        const ms = backoffDelay(attempt, { baseMs: 25, capMs: 1000, random: () => r });
        const ceiling = Math.min(1000, 25 * 2 ** attempt);
        expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
        expect(ms).toBeLessThanOrEqual(ceiling);
      }),
    );
  });
});

describe("process identity in the lock (fencing)", () => {
  const mine = (process: string, extra = ""): string =>
    `{"nodeID":"n1","metadata":{"unschedulable":false},"created":"${ago(5)}","TTL":0,"process":"${process}","bootID":"b1"${extra}}`;

  it("an acquire records the process and the boot after Go kured's fields, which stay byte for byte", () => {
    const plan = planAcquire(
      undefined,
      { holder: "n1", wasUnschedulable: false, process: "p1", bootId: "b1" },
      settings(),
      NOW,
    );
    expect(text(plan.write)).toBe(
      `{"nodeID":"n1","metadata":{"unschedulable":false},"created":"2026-01-05T12:00:00Z","TTL":0,"process":"p1","bootID":"b1"}`,
    );
    expect(plan.acquired && plan.slot.process).toBe("p1");
  });

  it("another process of the same node is told busy, and writes nothing", () => {
    const plan = planAcquire(
      lock(mine("p1")),
      { holder: "n1", wasUnschedulable: false, process: "p2" },
      settings(),
      NOW,
    );
    expect(plan.acquired).toBe(false);
    expect(!plan.acquired && plan.reason.code).toBe("lock-held-by-other-process");
    expect(plan.write).toBeUndefined();
  });

  it("release by another process of the same node frees nothing; by the holder, or without a process, it frees", () => {
    expect(planRelease(lock(mine("p1")), "n1", settings(), NOW, "p2")).toEqual({ released: false, write: undefined });
    expect(planRelease(lock(mine("p1")), "n1", settings(), NOW, "p1").released).toBe(true);
    // an entry Go kured rewrote has no process: the node name owns it, as in Go kured
    expect(planRelease(lock(entry("n1")), "n1", settings(), NOW, "p2").released).toBe(true);
  });

  it("renew moves `created` with a TTL (what Go kured's expiry reads) and keeps when it was taken", () => {
    const ttl = 10n * 60n * 1_000_000_000n;
    const value = `{"nodeID":"n1","metadata":{"unschedulable":true},"created":"${ago(8)}","TTL":${ttl},"process":"p1"}`;
    const plan = planRenew(lock(value), "n1", "p1", { ...settings(), ttl }, NOW);
    expect(text(plan?.write)).toBe(
      `{"nodeID":"n1","metadata":{"unschedulable":true},"created":"2026-01-05T12:00:00Z","TTL":${ttl},` +
        `"process":"p1","acquired":"${ago(8)}","renewed":"2026-01-05T12:00:00Z"}`,
    );
    expect(plan?.slot.acquiredAt.toISOString()).toBe(new Date(NOW.getTime() - 8 * MINUTE).toISOString());
    expect(planRenew(lock(value), "n1", "p2", { ...settings(), ttl }, NOW)).toBeUndefined();
    // an expired entry is not renewed back to life
    expect(
      planRenew(lock(value), "n1", "p1", { ...settings(), ttl }, new Date(NOW.getTime() + 3 * MINUTE)),
    ).toBeUndefined();
  });

  it("renew writes back the process and boot a Go kured's rewrite dropped, and keeps a recorded boot", () => {
    // Go kured rewrote the value with its own struct: only nodeID, metadata, created, TTL are left
    const rewritten = planRenew(lock(entry("n1")), "n1", "p1", settings(), NOW, "boot-1");
    expect(rewritten?.slot.process).toBe("p1");
    expect(rewritten?.slot.bootId).toBe("boot-1");
    expect(text(rewritten?.write)).toContain('"bootID":"boot-1"');
    const recorded = `{"nodeID":"n1","metadata":{"unschedulable":false},"created":"${ago(5)}","TTL":0,"process":"p1","bootID":"boot-0"}`;
    expect(planRenew(lock(recorded), "n1", "p1", settings(), NOW, "boot-1")?.slot.bootId).toBe("boot-0");
  });

  it("adopt hands the slot over only from the process it names", () => {
    const adopted = planAdopt(
      lock(mine("p1")),
      { holder: "n1", process: "p2", from: "p1", bootId: "b2" },
      settings(),
      NOW,
    );
    expect(adopted?.slot.process).toBe("p2");
    expect(adopted?.slot.bootId).toBe("b2");
    expect(planAdopt(lock(mine("p3")), { holder: "n1", process: "p2", from: "p1" }, settings(), NOW)).toBeUndefined();
    expect(
      planAdopt(lock(entry("n1")), { holder: "n1", process: "p2", from: undefined }, settings(), NOW)?.slot.process,
    ).toBe("p2");
  });
});
