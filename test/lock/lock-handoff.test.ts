/**
 * Instant hand-off: with real time and a one-hour period, a node waiting on `changes()` holds the
 * slot within a second of the holder's release (Go kured: up to one period). The bench
 * (bench/lock-handoff.ts) measures it; this asserts it loosely. Runs on a real cluster too.
 */
import { mayAcquireNow, type LockBackend } from "@kured/core";
import { startCluster, type Cluster } from "@kured/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKEND_KINDS, freshLock } from "./support/backends.js";

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ nodes: ["node-1", "node-2"], kured: false });
});
afterAll(async () => {
  await cluster?.close();
});

/** Acquires as soon as a yielded state shows a slot for `node`; resolves with the time it held it. */
async function acquireOnChange(backend: LockBackend, node: string, signal: AbortSignal): Promise<number> {
  for await (const state of backend.changes({ signal })) {
    if (!mayAcquireNow(state, node)) continue;
    const result = await backend.acquire({ holder: node, wasUnschedulable: false, signal });
    if (result.acquired) return performance.now();
  }
  throw new Error("changes() ended before the slot was taken");
}

describe.each(BACKEND_KINDS)("the %s lock", (kind) => {
  it("lets the next waiter hold the slot within 1 s of the release, with a 1 h period", async () => {
    const lock = await freshLock(cluster, kind, { concurrency: 1, periodMs: 3_600_000 });
    const [holder, waiter] = [await lock.backend(), await lock.backend()];
    // the Nodes' actual names (prefixed on a real cluster, where a holder without a Node is dropped)
    const [n1, n2] = [cluster.nodeName("node-1"), cluster.nodeName("node-2")];
    const signal = AbortSignal.timeout(20_000);
    expect((await holder.acquire({ holder: n1, wasUnschedulable: false, signal })).acquired).toBe(true);
    expect((await waiter.acquire({ holder: n2, wasUnschedulable: false, signal })).acquired).toBe(false);
    const held = acquireOnChange(waiter, n2, signal);
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the watch connect
    const released = performance.now();
    await holder.release({ holder: n1, signal });
    const handOffMs = (await held) - released;
    expect(handOffMs).toBeLessThan(1000);
  });
});
