// Request throughput of @kured/testkit's in-process API server on loopback, with the real client
// library: reads, merge patches and lists of nodes from many concurrent clients. A 100-node
// simulated rollout needs a few thousand requests in all, so this must stay far above that rate.
import { kubeClients } from "@kured/core";
import { startCluster } from "@kured/testkit";
import os from "node:os";

const NODES = 100;
const CLIENTS = 50;
const SECONDS = 5;

const cluster = await startCluster({ nodes: NODES, inProcess: true, kured: false });
const { core, k8s } = await kubeClients(cluster.kubeConfig);
const merge = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
let requests = 0;
const deadline = performance.now() + SECONDS * 1000;

async function client(i: number): Promise<void> {
  const name = `node-${(i % NODES) + 1}`;
  for (let n = 0; performance.now() < deadline; n++) {
    if (n % 10 === 9) await core.listNode({ limit: 500 });
    else if (n % 2 === 0) await core.readNode({ name });
    else await core.patchNode({ name, body: { metadata: { annotations: { "bench/n": String(n) } } } }, merge);
    requests++;
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
const elapsed = (performance.now() - started) / 1000;
await cluster.close();
console.log(
  JSON.stringify({
    bench: "api-server-throughput",
    nodes: NODES,
    clients: CLIENTS,
    seconds: Number(elapsed.toFixed(2)),
    requests,
    requestsPerSecond: Math.round(requests / elapsed),
    cpus: os.cpus().length,
    node: process.version,
  }),
);
