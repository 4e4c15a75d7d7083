/**
 * What the Lease lock writes and how its slots expire and move, read back from the API as any
 * other tool would see them. Backends run on a virtual clock; runs on a real cluster too.
 */
import { createLeaseLockBackend, type LeaseLockBackend, type LeaseLockOptions } from "@kured/core";
import { startCluster, VirtualClock, type Cluster } from "@kured/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRealWaits } from "./support/real-waits.js";

const START = "2026-01-05T00:00:00Z";
const MINUTE = 60_000;
let cluster: Cluster;
let serial = 0;
const live = (): AbortSignal => AbortSignal.timeout(10_000);

beforeAll(async () => {
  cluster = await startCluster({ nodes: ["node-1", "node-2", "node-3", "node-4"], kured: false });
});

/** The actual name of a simulated Node (prefixed on a real cluster, where a holder without a Node is dropped). */
const n = (name: string): string => cluster.nodeName(name);
afterAll(async () => {
  await cluster?.close();
});

function lease(name: string) {
  return cluster.apis.coordination.readNamespacedLease({ name, namespace: cluster.namespace });
}

async function fresh(options: Partial<LeaseLockOptions> = {}) {
  const name = `kured-leases-${++serial}`;
  const clock = new VirtualClock({ start: START });
  const backend = (extra: Partial<LeaseLockOptions> = {}): Promise<LeaseLockBackend> =>
    createLeaseLockBackend({
      kubeConfig: cluster.kubeConfig,
      namespace: cluster.namespace,
      name,
      clock: withRealWaits(clock),
      ...options,
      ...extra,
    });
  return { name, clock, backend };
}

describe("the Lease lock", () => {
  it("holds a slot in <ds-name>-lock-<n>: holder, MicroTimes with six digits, duration from the TTL", async () => {
    const lock = await fresh({ ttlMs: 30 * MINUTE });
    const us = await lock.backend();
    const result = await us.acquire({ holder: n("node-1"), wasUnschedulable: true, signal: live() });
    expect(result).toMatchObject({ acquired: true, slot: { holder: n("node-1"), wasUnschedulable: true } });
    const slot = await lease(`${lock.name}-lock-0`);
    expect(slot.spec).toMatchObject({
      holderIdentity: n("node-1"),
      leaseDurationSeconds: 1800,
      leaseTransitions: 0,
      acquireTime: "2026-01-05T00:00:00.000000Z",
      renewTime: "2026-01-05T00:00:00.000000Z",
    });
    expect(slot.metadata?.labels).toMatchObject({ "kured.dev/lock": lock.name, "kured.dev/lock-role": "slot" });
    expect(slot.metadata?.annotations?.["kured.dev/unschedulable"]).toBe("true");
  });

  it("without a TTL sets no duration, and the slot never expires (kured's default)", async () => {
    const lock = await fresh();
    const [a, b] = [await lock.backend(), await lock.backend()];
    await a.acquire({ holder: n("node-1"), wasUnschedulable: false, signal: live() });
    expect((await lease(`${lock.name}-lock-0`)).spec?.leaseDurationSeconds).toBeUndefined();
    await lock.clock.advance(365 * 24 * 60 * MINUTE);
    expect((await b.acquire({ holder: n("node-2"), wasUnschedulable: false, signal: live() })).acquired).toBe(false);
  });

  it("a renewed holder outlives its first TTL; one that stops renewing expires and its slot moves on", async () => {
    const lock = await fresh({ ttlMs: 10 * MINUTE });
    const [a, b] = [await lock.backend(), await lock.backend()];
    await a.acquire({ holder: n("node-1"), wasUnschedulable: false, signal: live() });
    await lock.clock.advance(8 * MINUTE);
    expect(await a.renew({ holder: n("node-1"), signal: live() })).toBe(true);
    await lock.clock.advance(8 * MINUTE);
    expect((await b.acquire({ holder: n("node-2"), wasUnschedulable: false, signal: live() })).acquired).toBe(false);
    await lock.clock.advance(3 * MINUTE);
    expect((await b.acquire({ holder: n("node-2"), wasUnschedulable: false, signal: live() })).acquired).toBe(true);
    expect(await a.renew({ holder: n("node-1"), signal: live() })).toBe(false);
    const slot = await lease(`${lock.name}-lock-0`);
    expect(slot.spec).toMatchObject({ holderIdentity: n("node-2"), leaseTransitions: 1 });
  });

  it("keepRenewed keeps a live holder's slot past its TTL, and stops when its signal aborts", async () => {
    const lock = await fresh({ ttlMs: 3 * MINUTE });
    const [a, b] = [await lock.backend(), await lock.backend()];
    await a.acquire({ holder: n("node-1"), wasUnschedulable: false, signal: live() });
    const alive = new AbortController();
    const renewing = a.keepRenewed({ holder: n("node-1"), signal: alive.signal });
    await lock.clock.advance(10 * MINUTE);
    expect((await b.acquire({ holder: n("node-2"), wasUnschedulable: false, signal: live() })).acquired).toBe(false);
    alive.abort(); // about to reboot: stop renewing
    expect(await renewing).toBe(true);
    await lock.clock.advance(3 * MINUTE);
    expect((await b.acquire({ holder: n("node-2"), wasUnschedulable: false, signal: live() })).acquired).toBe(true);
  });

  it("release clears the holder and keeps the Lease (and its transitions)", async () => {
    const lock = await fresh();
    const us = await lock.backend();
    await us.acquire({ holder: n("node-1"), wasUnschedulable: true, signal: live() });
    await us.release({ holder: n("node-1"), signal: live() });
    const slot = await lease(`${lock.name}-lock-0`);
    expect(slot.spec?.holderIdentity).toBeUndefined();
    expect(slot.metadata?.annotations?.["kured.dev/unschedulable"]).toBeUndefined();
  });

  it("the manual lock stops every acquire until it is released", async () => {
    const lock = await fresh({ concurrency: 3 });
    const us = await lock.backend();
    const state = await us.takeManually({ reason: "datacenter move", signal: live() });
    expect(state.manual).toEqual({ reason: "datacenter move", since: new Date(START) });
    const refused = await us.acquire({ holder: n("node-1"), wasUnschedulable: false, signal: live() });
    expect(refused).toMatchObject({ acquired: false, reason: { code: "lock-held-manually" } });
    expect(await us.releaseHolder({ holder: "manual", signal: live() })).toBe(true);
    expect((await us.acquire({ holder: n("node-1"), wasUnschedulable: false, signal: live() })).acquired).toBe(true);
  });

  it("after --concurrency is lowered, holders of the slots above it still count", async () => {
    const lock = await fresh({ concurrency: 3 });
    const old = await lock.backend();
    for (const node of [n("node-1"), n("node-2"), n("node-3")]) {
      expect((await old.acquire({ holder: node, wasUnschedulable: false, signal: live() })).acquired).toBe(true);
    }
    const lowered = await lock.backend({ concurrency: 2 });
    const ask = () => lowered.acquire({ holder: n("node-4"), wasUnschedulable: false, signal: live() });
    expect((await ask()).acquired).toBe(false);
    await old.release({ holder: n("node-1"), signal: live() });
    expect((await ask()).acquired).toBe(false);
    await old.release({ holder: n("node-3"), signal: live() });
    expect((await ask()).acquired).toBe(true);
    expect((await lowered.inspect({ signal: live() })).holders.map((h) => h.holder).sort()).toEqual([
      n("node-2"),
      n("node-4"),
    ]);
  });

  it("drops a holder whose Node object is gone when the lock is full", async () => {
    const lock = await fresh();
    const ghost = await lock.backend({ detectGoneHolders: false });
    await ghost.acquire({ holder: n("node-gone"), wasUnschedulable: false, signal: live() });
    const us = await lock.backend();
    expect((await us.acquire({ holder: n("node-1"), wasUnschedulable: false, signal: live() })).acquired).toBe(true);
    expect((await lease(`${lock.name}-lock-0`)).spec).toMatchObject({
      holderIdentity: n("node-1"),
      leaseTransitions: 1,
    });
  });
});
