/**
 * The DaemonSet lock living side by side with Go kured and with people using kubectl: the exact
 * bytes each writes, read by the other. The backends run on a virtual clock (expiry and `created`
 * are judged on the reader's clock), so the same stories also run on a real cluster.
 */
import {
  createDaemonSetLockBackend,
  type DaemonSetLockBackend,
  type DaemonSetLockOptions,
  type CorruptLockEvent,
} from "@kured/core";
import { startCluster, VirtualClock, type Cluster } from "@kured/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAnnotation, writeAnnotation } from "./support/daemonset-annotation.js";
import { withRealWaits } from "./support/real-waits.js";

const START = "2026-01-05T00:00:00Z";
let cluster: Cluster;
let serial = 0;
const live = (): AbortSignal => AbortSignal.timeout(10_000);

beforeAll(async () => {
  cluster = await startCluster({ nodes: ["node-1", "node-2", "node-3"], kured: false });
});

/** The actual name of a simulated Node (prefixed on a real cluster, where a holder without a Node is dropped). */
const n = (name: string): string => cluster.nodeName(name);
afterAll(async () => {
  await cluster?.close();
});

/** A fresh DaemonSet with `value` as its lock annotation, and a backend factory on a virtual clock. */
async function lockWith(value: string | undefined, options: Partial<DaemonSetLockOptions> = {}) {
  const name = `kured-compat-${++serial}`;
  await cluster.createKuredDaemonSet({ name, namespace: cluster.namespace });
  if (value !== undefined) await writeAnnotation(cluster, name, value);
  const clock = new VirtualClock({ start: START });
  const backend = (extra: Partial<DaemonSetLockOptions> = {}): Promise<DaemonSetLockBackend> =>
    createDaemonSetLockBackend({
      kubeConfig: cluster.kubeConfig,
      namespace: cluster.namespace,
      name,
      clock: withRealWaits(clock),
      ...options,
      ...extra,
    });
  return { name, clock, backend, read: () => readAnnotation(cluster, name) };
}

const goSingle = (node: string, created: string, ttl = 0, unschedulable = false): string =>
  `{"nodeID":"${node}","metadata":{"unschedulable":${unschedulable}},"created":"${created}","TTL":${ttl}}`;

describe("Go kured and us on one lock", () => {
  it("a lock Go kured holds is busy for us; our queue goes after its bytes, which stay as they were", async () => {
    const go = goSingle(n("node-1"), "2026-01-04T23:59:59.123456789Z");
    const lock = await lockWith(go);
    const us = await lock.backend();
    const answer = await us.acquire({ holder: n("node-2"), wasUnschedulable: false, signal: live() });
    expect(answer).toMatchObject({
      acquired: false,
      reason: { code: "lock-busy" },
      holders: [{ holder: n("node-1") }],
    });
    expect(await lock.read()).toBe(
      `${go.slice(0, -1)},"queue":[{"nodeID":"${n("node-2")}","since":"2026-01-05T00:00:00Z","refreshed":"2026-01-05T00:00:00Z"}]}`,
    );
  });

  it("when Go kured releases (deleting the annotation, and our queue with it) the waiter takes the lock", async () => {
    const lock = await lockWith(goSingle(n("node-1"), "2026-01-04T23:00:00Z"));
    const us = await lock.backend();
    await us.acquire({ holder: n("node-2"), wasUnschedulable: true, signal: live() });
    await writeAnnotation(cluster, lock.name, null);
    expect(await us.acquire({ holder: n("node-2"), wasUnschedulable: true, signal: live() })).toMatchObject({
      acquired: true,
    });
    expect(await lock.read()).toBe(goSingle(n("node-2"), "2026-01-05T00:00:00Z", 0, true));
  });

  it("when Go kured rewrites a multi-lock without our queue, waiters join it again", async () => {
    const entry = goSingle(n("node-1"), "2026-01-04T23:30:00Z", 3_600_000_000_000);
    const lock = await lockWith(`{"maxOwners":2,"locks":[${entry}]}`, { concurrency: 2 });
    const [a, b] = [await lock.backend(), await lock.backend()];
    expect((await a.acquire({ holder: n("node-2"), wasUnschedulable: false, signal: live() })).acquired).toBe(true);
    expect((await b.acquire({ holder: n("node-3"), wasUnschedulable: false, signal: live() })).acquired).toBe(false);
    expect((await b.inspect({ signal: live() })).queue.map((q) => q.node)).toEqual([n("node-3")]);
    // Go kured (concurrency 2) re-marshals its struct: our queue is gone, the holders stay.
    const goRewrite = `{"maxOwners":2,"locks":[${entry},${goSingle(n("node-2"), "2026-01-05T00:00:00Z", 0)}]}`;
    await writeAnnotation(cluster, lock.name, goRewrite);
    expect((await b.inspect({ signal: live() })).queue).toEqual([]);
    expect((await b.acquire({ holder: n("node-3"), wasUnschedulable: false, signal: live() })).acquired).toBe(false);
    expect((await b.inspect({ signal: live() })).queue.map((q) => q.node)).toEqual([n("node-3")]);
  });

  it("writes exactly Go kured's multi format for a fresh acquire at concurrency 2", async () => {
    const lock = await lockWith(undefined, { concurrency: 2, ttlMs: 30 * 60_000 });
    const us = await lock.backend();
    await us.acquire({ holder: n("node-1"), wasUnschedulable: false, signal: live() });
    expect(await lock.read()).toBe(
      `{"maxOwners":2,"locks":[${goSingle(n("node-1"), "2026-01-05T00:00:00Z", 1_800_000_000_000)}]}`,
    );
    await us.release({ holder: n("node-1"), signal: live() });
    expect(await lock.read()).toBe(`{"maxOwners":2,"locks":[]}`);
  });

  it("a multi-lock left behind at concurrency 1 keeps its live holder, then turns into a single lock", async () => {
    const holder = goSingle(n("node-1"), "2026-01-04T23:30:00Z", 3_600_000_000_000);
    const expired = goSingle(n("node-9"), "2026-01-04T20:00:00Z", 3_600_000_000_000);
    const lock = await lockWith(`{"maxOwners":2,"locks":[${holder},${expired}]}`);
    const [one, two] = [await lock.backend({ ttlMs: 60_000 }), await lock.backend()];
    expect((await two.acquire({ holder: n("node-2"), wasUnschedulable: false, signal: live() })).acquired).toBe(false);
    await one.release({ holder: n("node-1"), signal: live() });
    expect((await two.acquire({ holder: n("node-2"), wasUnschedulable: false, signal: live() })).acquired).toBe(true);
    expect(await lock.read()).toBe(goSingle(n("node-2"), "2026-01-05T00:00:00Z"));
  });

  it("an expired Go entry is taken over at once", async () => {
    const lock = await lockWith(goSingle(n("node-1"), "2026-01-04T23:00:00Z", 1_800_000_000_000));
    const us = await lock.backend();
    expect((await us.acquire({ holder: n("node-2"), wasUnschedulable: false, signal: live() })).acquired).toBe(true);
  });
});

describe("the manual lock", () => {
  it.each([1, 3])(
    'kubectl\'s {"nodeID":"manual"} stops every acquire at concurrency %i, and never expires',
    async (concurrency) => {
      const lock = await lockWith(`{"nodeID":"manual"}`, { concurrency, ttlMs: 60_000 });
      const us = await lock.backend();
      await lock.clock.advance(10 * 365 * 24 * 3_600_000);
      const answer = await us.acquire({ holder: n("node-1"), wasUnschedulable: false, signal: live() });
      expect(answer).toMatchObject({ acquired: false, reason: { code: "lock-held-manually" } });
      expect(await lock.read()).toBe(`{"nodeID":"manual"}`);
      expect((await us.inspect({ signal: live() })).manual).toEqual({});
    },
  );

  it("taken with a reason at concurrency 3, it fills the lock so Go kured finds it full too, and is lifted again", async () => {
    const lock = await lockWith(undefined, { concurrency: 3 });
    const us = await lock.backend();
    const state = await us.takeManually({ reason: "kernel freeze", signal: live() });
    expect(state.manual).toEqual({ reason: "kernel freeze", since: new Date(START) });
    const manual = goSingle("manual", "2026-01-05T00:00:00Z");
    expect(await lock.read()).toBe(`{"maxOwners":3,"locks":[${manual},${manual},${manual}],"reason":"kernel freeze"}`);
    expect((await us.acquire({ holder: n("node-1"), wasUnschedulable: false, signal: live() })).acquired).toBe(false);
    expect(await us.releaseHolder({ holder: "manual", signal: live() })).toBe(true);
    expect(await lock.read()).toBe(`{"maxOwners":3,"locks":[]}`);
    expect((await us.acquire({ holder: n("node-1"), wasUnschedulable: false, signal: live() })).acquired).toBe(true);
  });

  it("taken while a node holds the lock at concurrency 1, the node keeps its slot and releases into the manual lock", async () => {
    const lock = await lockWith(undefined);
    const us = await lock.backend();
    await us.acquire({ holder: n("node-1"), wasUnschedulable: false, signal: live() });
    await us.takeManually({ signal: live() });
    expect((await us.holding({ holder: n("node-1"), signal: live() }))?.holder).toBe(n("node-1"));
    await us.release({ holder: n("node-1"), signal: live() });
    expect(await lock.read()).toBe(goSingle("manual", "2026-01-05T00:00:00Z"));
  });
});

describe("a value that is not a lock", () => {
  it("counts as held: refused with lock-corrupt, logged once, counted, never overwritten", async () => {
    const lines: string[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const seen: CorruptLockEvent[] = [];
    const lock = await lockWith("locked by bob until friday", { log, onCorrupt: (e) => seen.push(e) });
    const us = await lock.backend();
    for (let i = 0; i < 3; i++) {
      const answer = await us.acquire({ holder: n("node-1"), wasUnschedulable: false, signal: live() });
      expect(answer).toMatchObject({ acquired: false, reason: { code: "lock-corrupt" } });
    }
    await us.release({ holder: n("node-1"), signal: live() });
    expect(await us.holding({ holder: n("node-1"), signal: live() })).toBeUndefined();
    expect((await us.inspect({ signal: live() })).manual?.reason).toContain("not a kured lock");
    expect(await lock.read()).toBe("locked by bob until friday");
    expect(seen.map((e) => e.error.code)).toEqual(Array(seen.length).fill("KURED_ERR_LOCK_CORRUPT"));
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(us.corruptReads).toBe(seen.length);
    const errors = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toMatch(/is not a kured lock; no node will reboot until it is fixed or removed/);
    await expect(us.takeManually({ signal: live() })).rejects.toMatchObject({ code: "KURED_ERR_LOCK_CORRUPT" });
  });
});

describe("stale holders", () => {
  it("drops a holder whose Node object is gone when the lock is full, and keeps one whose Node exists", async () => {
    const lock = await lockWith(goSingle(n("node-gone"), "2026-01-04T23:00:00Z"));
    const us = await lock.backend();
    expect((await us.acquire({ holder: n("node-1"), wasUnschedulable: false, signal: live() })).acquired).toBe(true);
    expect((await us.acquire({ holder: n("node-2"), wasUnschedulable: false, signal: live() })).acquired).toBe(false);
    expect((await us.holding({ holder: n("node-1"), signal: live() }))?.holder).toBe(n("node-1"));
  });

  it("keeps a gone holder when detection is off (kured's behaviour)", async () => {
    const lock = await lockWith(goSingle(n("node-gone"), "2026-01-04T23:00:00Z"), { detectGoneHolders: false });
    const us = await lock.backend();
    expect((await us.acquire({ holder: n("node-1"), wasUnschedulable: false, signal: live() })).acquired).toBe(false);
  });
});

describe("the release delay", () => {
  it("delays the release on the clock, and the slot stays held until then", async () => {
    const lock = await lockWith(undefined, { releaseDelayMs: 30 * 60_000 });
    const us = await lock.backend();
    await us.acquire({ holder: n("node-1"), wasUnschedulable: false, signal: live() });
    let done = false;
    const releasing = us.release({ holder: n("node-1"), signal: live() }).then(() => (done = true));
    await lock.clock.advance(29 * 60_000);
    expect(done).toBe(false);
    expect((await us.holding({ holder: n("node-1"), signal: live() }))?.holder).toBe(n("node-1"));
    await lock.clock.runUntil(releasing, { maxMs: 2 * 60_000 });
    expect(await lock.read()).toBeUndefined();
  });
});
