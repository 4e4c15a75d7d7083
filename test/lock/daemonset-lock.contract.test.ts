/**
 * The DaemonSet-annotation lock against the LockBackend contract, on the in-process API server —
 * or on a real cluster when KURED_E2E_KUBECONFIG is set (the expiry check runs the backends on a
 * virtual clock either way: expiry is judged on the reader's clock). Holders are the cluster's actual
 * Node names (support/node-names.ts).
 */
import { createDaemonSetLockBackend, type Clock } from "@kured/core";
import { startCluster, VirtualClock, type Cluster } from "@kured/testkit";
import { describeLockBackendContract } from "@kured/testkit/contracts";
import { afterAll, beforeAll } from "vitest";
import { withClusterNodeNames } from "./support/node-names.js";
import { withRealWaits } from "./support/real-waits.js";

const NODES = ["node-1", "node-2", "node-3", "node-4", "node-5", "node-6"];
let cluster: Cluster;
let serial = 0;

beforeAll(async () => {
  cluster = await startCluster({ nodes: NODES, kured: false });
});
afterAll(async () => {
  await cluster?.close();
});

/** A fresh kured DaemonSet, so that every check starts from a free lock. */
async function freshDaemonSet(): Promise<string> {
  const name = `kured-contract-${++serial}`;
  await cluster.createKuredDaemonSet({ name, namespace: cluster.namespace });
  return name;
}

describeLockBackendContract("daemonset", async () => {
  const clock = new VirtualClock({ start: Date.now() });
  const ttlMs = 30 * 60_000;
  const make =
    (extra: { ttlMs?: number; clock?: Clock }) =>
    async ({ capacity, count }: { capacity: number; count: number }) => {
      const name = await freshDaemonSet();
      return Promise.all(
        Array.from({ length: count }, async () =>
          withClusterNodeNames(
            cluster,
            await createDaemonSetLockBackend({
              kubeConfig: cluster.kubeConfig,
              namespace: cluster.namespace,
              name,
              concurrency: capacity,
              ...extra,
            }),
          ),
        ),
      );
    };
  return {
    backends: make({}),
    expiring: { backends: make({ ttlMs, clock: withRealWaits(clock) }), ttlMs, elapse: (ms) => clock.advance(ms) },
  };
});
