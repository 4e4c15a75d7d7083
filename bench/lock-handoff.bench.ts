// Lock hand-off latency (DESIGN §9: the next waiter holds a freed slot ≤ 1 s after release; Go kured
// waits for the waiter's next period, 1 h by default). Real time, a 1 h period, the in-process API
// server and the real client library: a chain of nodes, each waiting on changes() and acquiring as
// soon as a state shows it a slot; we time release → the next holder's acquire returning.
// Usage: npm run bench -- lock-handoff   (or: node bench/lock-handoff.bench.ts after a build)
import {
  createDaemonSetLockBackend,
  createLeaseLockBackend,
  mayAcquireNow,
  type LockBackend,
  type LockBackendOptions,
} from "@kured/core";
import { startCluster } from "@kured/testkit";
import os from "node:os";

const HANDOFFS = 30;
const PERIOD_MS = 3_600_000;

const nodes = Array.from({ length: HANDOFFS + 1 }, (_, i) => `node-${i + 1}`);
const cluster = await startCluster({ nodes, inProcess: true, kured: false });

async function waitAndAcquire(backend: LockBackend, node: string, signal: AbortSignal): Promise<number> {
  for await (const state of backend.changes({ signal })) {
    if (!mayAcquireNow(state, node)) continue;
    if ((await backend.acquire({ holder: node, wasUnschedulable: false, signal })).acquired) return performance.now();
  }
  throw new Error("changes() ended");
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

async function measure(kind: "daemonset" | "lease"): Promise<Record<string, number | string>> {
  const name = `kured-bench-${kind}`;
  if (kind === "daemonset") await cluster.createKuredDaemonSet({ name, namespace: cluster.namespace });
  const options: LockBackendOptions & { namespace: string; name: string } = {
    kubeConfig: cluster.kubeConfig,
    namespace: cluster.namespace,
    name,
    periodMs: PERIOD_MS,
  };
  const make = () => (kind === "daemonset" ? createDaemonSetLockBackend(options) : createLeaseLockBackend(options));
  const signal = AbortSignal.timeout(120_000);
  const backends = await Promise.all(nodes.map(() => make()));
  const first = backends[0] as LockBackend;
  await first.acquire({ holder: nodes[0] as string, wasUnschedulable: false, signal });
  const samples: number[] = [];
  for (let i = 1; i < nodes.length; i++) {
    const [holder, next] = [backends[i - 1] as LockBackend, backends[i] as LockBackend];
    const node = nodes[i] as string;
    await next.acquire({ holder: node, wasUnschedulable: false, signal }); // busy: joins the queue
    const watching = new AbortController();
    const held = waitAndAcquire(next, node, AbortSignal.any([signal, watching.signal]));
    await new Promise((resolve) => setTimeout(resolve, 100)); // the watch connects
    const released = performance.now();
    await holder.release({ holder: nodes[i - 1] as string, signal });
    samples.push((await held) - released);
    watching.abort();
  }
  samples.sort((a, b) => a - b);
  return {
    backend: kind,
    handoffs: samples.length,
    medianMs: Number(percentile(samples, 0.5).toFixed(1)),
    p95Ms: Number(percentile(samples, 0.95).toFixed(1)),
    maxMs: Number((samples.at(-1) as number).toFixed(1)),
  };
}

const results = [await measure("daemonset"), await measure("lease")];
await cluster.close();
for (const r of results) {
  console.log(
    JSON.stringify({
      bench: "lock-handoff",
      ...r,
      periodMs: PERIOD_MS,
      goKuredMeanWaitMs: PERIOD_MS / 2,
      budgetMs: 1000,
      cpus: os.cpus().length,
      node: process.version,
    }),
  );
}
if (results.some((r) => Number(r.maxMs) > 1000)) process.exitCode = 1;
