/**
 * The Lease lock against the LockBackend contract, on the in-process API server — or on a real
 * cluster when KURED_E2E_KUBECONFIG is set. Each check gets its own lock name, hence its own Leases.
 * Holders are the cluster's actual Node names (support/node-names.ts).
 */
import { createLeaseLockBackend, type Clock } from "@kured/core";
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

describeLockBackendContract("lease", async () => {
  const clock = new VirtualClock({ start: Date.now() });
  const ttlMs = 30 * 60_000;
  const make =
    (extra: { ttlMs?: number; clock?: Clock }) =>
    async ({ capacity, count }: { capacity: number; count: number }) => {
      const name = `kured-lease-${++serial}`;
      return Promise.all(
        Array.from({ length: count }, async () =>
          withClusterNodeNames(
            cluster,
            await createLeaseLockBackend({
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
