// API requests of an idle daemon (DESIGN §9: zero per period while no reboot is required). The
// shipped entry point runs against the in-process API server with `--period=2s` and a sentinel
// that does not exist; once its start-up is over (recovery: does it hold the lock; the node's
// taint), the server's audit log is cleared and every request in the next PERIODS periods is
// counted. The daemon's "Reboot not required" lines show that its loop did tick meanwhile.
// Usage: npm run bench -- daemon-idle-requests   (or: node bench/daemon-idle-requests.bench.ts after a build)
import { startCluster } from "@kured/testkit";
import { buildBundle, daemonScratch, launcherPath, machine, spawnChild, until } from "./support/bundled-kured.ts";

const PERIOD_MS = 2_000;
const PERIODS = 5;
const NOT_REQUIRED = /Reboot not required/g;

buildBundle();
const cluster = await startCluster({ nodes: ["node-1"], inProcess: true });
const server = cluster.server;
if (!server) throw new Error("the benchmark needs the in-process cluster");
const scratch = await daemonScratch(cluster, "node-1");
const daemon = spawnChild(launcherPath, [...scratch.args, `--period=${PERIOD_MS / 1000}s`]);
const ticks = () => daemon.output().match(NOT_REQUIRED)?.length ?? 0;
try {
  // start-up is over at the first tick of the loop (uniform in [0.5, 1.5) periods after the start)
  await until(() => ticks() >= 1, 3 * PERIOD_MS + 10_000, `the first tick\n${daemon.output()}`);
  const startup = server.audit.counters();
  server.audit.clear();
  const ticksBefore = ticks();
  await new Promise((resolve) => setTimeout(resolve, PERIODS * PERIOD_MS));
  const requests = server.audit.count();
  const ticksDuring = ticks() - ticksBefore;
  if (/ERROR|FATAL/.test(daemon.output())) throw new Error(`the daemon logged an error:\n${daemon.output()}`);
  console.log(
    JSON.stringify({
      bench: "daemon-idle-requests",
      periodSeconds: PERIOD_MS / 1000,
      periods: PERIODS,
      loopTicks: ticksDuring,
      requests,
      requestsPerPeriod: requests / PERIODS,
      goal: 0,
      met: requests === 0,
      during: server.audit.counters(),
      startup,
      ...machine(),
    }),
  );
} finally {
  await daemon.stop();
  scratch.remove();
  await cluster.close();
}
