/**
 * FIFO: twenty nodes find the lock (concurrency 1) busy one after the other; each then waits on
 * `changes()` and asks again on every change — the herd the queue must tame. They must hold the
 * lock in the order they started waiting. Real time, a one-hour period; runs on a real cluster too.
 */
import type { LockBackend } from "@kured/core";
import { startCluster, type Cluster } from "@kured/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKEND_KINDS, freshLock } from "./support/backends.js";

const WAITERS = Array.from({ length: 20 }, (_, i) => `node-${i + 1}`);
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ nodes: ["node-0", ...WAITERS], kured: false });
});
afterAll(async () => {
  await cluster?.close();
});

/** Waits on changes() and asks on every one; resolves once acquired, then releases. */
async function waitThenTakeTurn(backend: LockBackend, node: string, order: string[], signal: AbortSignal) {
  for await (const _ of backend.changes({ signal })) {
    const result = await backend.acquire({ holder: node, wasUnschedulable: false, signal });
    if (!result.acquired) continue;
    order.push(node);
    await backend.release({ holder: node, signal });
    return;
  }
}

describe.each(BACKEND_KINDS)("the %s lock", (kind) => {
  it("hands the lock to 20 waiters in the order they started waiting", { timeout: 60_000 }, async () => {
    const lock = await freshLock(cluster, kind, { concurrency: 1, periodMs: 3_600_000 });
    const first = await lock.backend();
    // the Nodes' actual names (prefixed on a real cluster, where a holder without a Node is dropped)
    const [n0, waiters] = [cluster.nodeName("node-0"), WAITERS.map((n) => cluster.nodeName(n))];
    const signal = AbortSignal.timeout(55_000);
    expect((await first.acquire({ holder: n0, wasUnschedulable: false, signal })).acquired).toBe(true);

    const backends = await Promise.all(waiters.map(() => lock.backend()));
    for (const [i, node] of waiters.entries()) {
      const busy = await (backends[i] as LockBackend).acquire({ holder: node, wasUnschedulable: false, signal });
      expect(busy.acquired, `${node} finds the lock busy`).toBe(false);
    }
    expect((await first.inspect({ signal })).queue.map((q) => q.node)).toEqual(waiters);

    const order: string[] = [];
    const turns = waiters.map((node, i) => waitThenTakeTurn(backends[i] as LockBackend, node, order, signal));
    await first.release({ holder: n0, signal });
    await Promise.all(turns);
    expect(order).toEqual(waiters);
    expect((await first.inspect({ signal })).holders).toEqual([]);
  });

  it("a node that leaves the queue (blocked, no longer due) does not hold up the one behind it", async () => {
    const lock = await freshLock(cluster, kind, { concurrency: 1, periodMs: 3_600_000 });
    const [holder, blocked, next] = [await lock.backend(), await lock.backend(), await lock.backend()];
    const signal = AbortSignal.timeout(10_000);
    const ask = (b: typeof holder, node: string) =>
      b.acquire({ holder: cluster.nodeName(node), wasUnschedulable: false, signal });
    expect((await ask(holder, "node-0")).acquired).toBe(true);
    expect((await ask(blocked, "node-1")).acquired).toBe(false);
    expect((await ask(next, "node-2")).acquired).toBe(false);
    await holder.release({ holder: cluster.nodeName("node-0"), signal });
    expect((await ask(next, "node-2")).acquired, "node-2 waits for the head, node-1").toBe(false);
    expect(await blocked.leaveQueue({ holder: cluster.nodeName("node-1"), signal })).toBe(true);
    expect(await blocked.leaveQueue({ holder: cluster.nodeName("node-1"), signal })).toBe(false);
    expect((await ask(next, "node-2")).acquired).toBe(true);
  });
});
