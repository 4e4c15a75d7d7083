// Idle resident memory of the shipped daemon (DESIGN §9: ≤ 1.35 × a bare `node` process on the
// same machine). Builds the bundle, starts the in-process API server, and runs side by side for
// 60 s: a bare `node -e "setInterval(()=>{},1e9)"`, three daemons as the image runs them (the
// dist-bundle/kured entry point: Node with the shipped flags; three because a daemon's resident
// size varies by a few MB from run to run) and, for comparison, one under `node` with default
// flags. No reboot is required (the sentinel does not exist), the period is kured's 1 h, and the
// metrics endpoint listens on all interfaces as in the DaemonSet. Memory is /proc/PID/smaps_rollup:
// Rss, split into anonymous memory (heaps) and file-backed pages (mostly the node executable).
// Two more shipped daemons show what the plain-HTTP test server leaves out: one talks to the API
// server over TLS with the cluster's CA, as in a pod (a TLS front made with openssl), and one has
// --time-zone=Europe/Berlin (a zone other than UTC makes ICU's data resident).
// Usage: npm run bench -- daemon-idle-rss   (or: node bench/daemon-idle-rss.bench.ts after a build)
import { startCluster } from "@kured/testkit";
import {
  buildBundle,
  bundlePath,
  daemonScratch,
  launcherPath,
  machine,
  memoryOf,
  spawnChild,
  summary,
  type Child,
  type DaemonScratch,
} from "./support/bundled-kured.ts";
import { join } from "node:path";
import { startTlsFront } from "./support/tls-front.ts";

const IDLE_MS = 60_000;
const GOAL = 1.35;
const SHIPPED = 3;
const MiB = 2 ** 20;

buildBundle();
const nodes = Array.from({ length: SHIPPED + 3 }, (_, i) => `node-${i + 1}`);
const cluster = await startCluster({ nodes, inProcess: true });
const tls = await startTlsFront((cluster.server as NonNullable<typeof cluster.server>).url);
const scratches: DaemonScratch[] = [];
const children: Child[] = [];
const metricsOnAllInterfaces = (args: string[]) => args.filter((a) => !a.startsWith("--metrics-host"));

function mib(bytes: number): number {
  return Number((bytes / MiB).toFixed(1));
}

try {
  for (const node of nodes) scratches.push(await daemonScratch(cluster, node));
  const bare = spawnChild(process.execPath, ["-e", "setInterval(()=>{},1e9)"]);
  const shipped = scratches.slice(0, SHIPPED).map((s) => spawnChild(launcherPath, metricsOnAllInterfaces(s.args)));
  const plain = spawnChild(process.execPath, [
    bundlePath,
    ...metricsOnAllInterfaces((scratches[SHIPPED] as DaemonScratch).args),
  ]);
  const tlsScratch = scratches[SHIPPED + 1] as DaemonScratch;
  const tlsKubeconfig = join(tlsScratch.dir, "tls.kubeconfig");
  tls.writeKubeconfig(tlsKubeconfig, (cluster.server as NonNullable<typeof cluster.server>).adminToken);
  const overTls = spawnChild(
    launcherPath,
    metricsOnAllInterfaces(tlsScratch.args).map((a) =>
      a.startsWith("--kubeconfig=") ? `--kubeconfig=${tlsKubeconfig}` : a,
    ),
  );
  const berlin = spawnChild(launcherPath, [
    ...metricsOnAllInterfaces((scratches[SHIPPED + 2] as DaemonScratch).args),
    "--time-zone=Europe/Berlin",
  ]);
  children.push(bare, ...shipped, plain, overTls, berlin);

  const peaks = new Map<Child, number>();
  const deadline = performance.now() + IDLE_MS;
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const child of children) {
      const m = memoryOf(child.pid);
      if (!m) throw new Error(`a process exited early:\n${child.output()}`);
      peaks.set(child, Math.max(peaks.get(child) ?? 0, m.rss));
    }
  }
  const now = new Map(children.map((c) => [c, memoryOf(c.pid) as NonNullable<ReturnType<typeof memoryOf>>]));
  for (const child of [...shipped, overTls, berlin]) {
    if (/ERROR|FATAL/.test(child.output())) throw new Error(`a daemon logged an error:\n${child.output()}`);
  }
  const bareMem = now.get(bare) as NonNullable<ReturnType<typeof memoryOf>>;
  const rss = summary(shipped.map((c) => now.get(c)?.rss ?? 0));
  const anonymous = summary(shipped.map((c) => now.get(c)?.anonymous ?? 0));
  const ratio = Number((rss.median / bareMem.rss).toFixed(2));
  console.log(
    JSON.stringify({
      bench: "daemon-idle-rss",
      idleSeconds: IDLE_MS / 1000,
      bareNodeMiB: mib(bareMem.rss),
      daemonMiB: mib(rss.median),
      daemonMiBEach: shipped.map((c) => mib(now.get(c)?.rss ?? 0)),
      ratio,
      goal: GOAL,
      met: ratio <= GOAL,
      daemonPeakMiB: mib(Math.max(...shipped.map((c) => peaks.get(c) ?? 0))),
      daemonAnonymousMiB: mib(anonymous.median),
      daemonFileBackedMiB: mib(rss.median - anonymous.median),
      bareAnonymousMiB: mib(bareMem.anonymous),
      bareFileBackedMiB: mib(bareMem.fileBacked),
      defaultNodeFlags: {
        daemonMiB: mib(now.get(plain)?.rss ?? 0),
        ratio: Number(((now.get(plain)?.rss ?? 0) / bareMem.rss).toFixed(2)),
      },
      overTls: {
        daemonMiB: mib(now.get(overTls)?.rss ?? 0),
        ratio: Number(((now.get(overTls)?.rss ?? 0) / bareMem.rss).toFixed(2)),
      },
      timeZoneBerlin: {
        daemonMiB: mib(now.get(berlin)?.rss ?? 0),
        ratio: Number(((now.get(berlin)?.rss ?? 0) / bareMem.rss).toFixed(2)),
      },
      ...machine(),
    }),
  );
} finally {
  await Promise.all(children.map((c) => c.stop()));
  for (const s of scratches) s.remove();
  await tls.close();
  await cluster.close();
}
