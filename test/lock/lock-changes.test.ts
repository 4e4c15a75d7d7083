/**
 * `changes()` keeps following the lock through what watches meet in real life: streams dropped by
 * the server or a load balancer, a resourceVersion compacted away (410 Gone, as an ERROR event or
 * as an HTTP status), and it ends when its signal aborts. In-process only (faults, compaction).
 */
import type { LockBackend, LockState } from "@kured/core";
import { skipReasonForRealCluster, startCluster, type Cluster } from "@kured/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKEND_KINDS, freshLock } from "./support/backends.js";

const skip = skipReasonForRealCluster("faults");
let cluster: Cluster;
const live = (): AbortSignal => AbortSignal.timeout(15_000);
const resourceOf = { daemonset: "daemonsets", lease: "leases" } as const;

beforeAll(async () => {
  if (!skip) cluster = await startCluster({ nodes: ["node-1", "node-2"], kured: false, inProcess: true });
});
afterAll(async () => {
  await cluster?.close();
});

const holders = (s: LockState): string[] => s.holders.map((h) => h.holder);

/** Pulls states until one satisfies `predicate`. */
async function until(states: AsyncIterator<LockState>, predicate: (s: LockState) => boolean): Promise<LockState> {
  for (;;) {
    const next = await states.next();
    if (next.done) throw new Error("changes() ended early");
    if (predicate(next.value)) return next.value;
  }
}

describe.skipIf(skip !== undefined).each(BACKEND_KINDS)("changes() of the %s lock", (kind) => {
  async function setup() {
    const lock = await freshLock(cluster, kind, { concurrency: 1 });
    const [a, b] = [await lock.backend(), await lock.backend()];
    return { a, b };
  }
  const acquire = (b: LockBackend, holder: string) => b.acquire({ holder, wasUnschedulable: false, signal: live() });

  it("reconnects after its watch connections are dropped", async () => {
    const { a, b } = await setup();
    const server = cluster.server!;
    const drops = server.faults.add({ resource: resourceOf[kind], verb: "watch", drop: true, times: 3 });
    const controller = new AbortController();
    const states = b.changes({ signal: controller.signal })[Symbol.asyncIterator]();
    try {
      expect(holders(await until(states, () => true))).toEqual([]);
      const next = until(states, (s) => holders(s).includes("node-1"));
      await acquire(a, "node-1");
      expect(holders(await next)).toEqual(["node-1"]);
      expect(drops.fired).toBe(3);
    } finally {
      controller.abort();
      drops.remove();
    }
  });

  it("relists when its resourceVersion was compacted away (410 as an ERROR event)", async () => {
    const { a, b } = await setup();
    const server = cluster.server!;
    // The watch request waits 300 ms at the server: meanwhile the lock changes and history is compacted.
    const slow = server.faults.add({ resource: resourceOf[kind], verb: "watch", latencyMs: 300, times: 1 });
    const controller = new AbortController();
    const states = b.changes({ signal: controller.signal })[Symbol.asyncIterator]();
    try {
      await until(states, () => true);
      const next = until(states, (s) => holders(s).includes("node-1"));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await acquire(a, "node-1");
      server.store.compact();
      expect(holders(await next)).toEqual(["node-1"]);
      expect(server.audit.entries({ verb: "list", resource: resourceOf[kind] }).length).toBeGreaterThanOrEqual(2);
    } finally {
      controller.abort();
      slow.remove();
    }
  });

  it("relists when the watch is refused with HTTP 410", async () => {
    const { a, b } = await setup();
    const server = cluster.server!;
    const gone = server.faults.add({ resource: resourceOf[kind], verb: "watch", status: 410, times: 1 });
    const controller = new AbortController();
    const states = b.changes({ signal: controller.signal })[Symbol.asyncIterator]();
    try {
      await until(states, () => true);
      const next = until(states, (s) => holders(s).includes("node-1"));
      await acquire(a, "node-1");
      expect(holders(await next)).toEqual(["node-1"]);
      expect(gone.fired).toBe(1);
      const log = server.audit.entries({ resource: resourceOf[kind] });
      const refusedAt = log.findLastIndex((e) => e.verb === "watch" && e.status === 410);
      expect(refusedAt).toBeGreaterThanOrEqual(0);
      expect(
        log.slice(refusedAt).some((e) => e.verb === "list"),
        "a relist after the 410",
      ).toBe(true);
    } finally {
      controller.abort();
      gone.remove();
    }
  });

  it("ends at once when aborted while the server is slow to answer its watch", async () => {
    const { b } = await setup();
    const server = cluster.server!;
    const slow = server.faults.add({ resource: resourceOf[kind], verb: "watch", latencyMs: 10_000, times: 1 });
    const controller = new AbortController();
    const states = b.changes({ signal: controller.signal })[Symbol.asyncIterator]();
    try {
      await until(states, () => true);
      const pending = states.next();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const aborted = performance.now();
      controller.abort();
      expect((await pending).done).toBe(true);
      expect(performance.now() - aborted).toBeLessThan(1000);
    } finally {
      slow.remove();
    }
  });

  it("ends, closing its watch, when the signal aborts", async () => {
    const { b } = await setup();
    const controller = new AbortController();
    const states = b.changes({ signal: controller.signal })[Symbol.asyncIterator]();
    await until(states, () => true);
    const pending = states.next();
    controller.abort();
    expect((await pending).done).toBe(true);
  });
});
