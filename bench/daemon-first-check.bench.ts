// Time from process start to the first sentinel check (DESIGN §9: ≤ 300 ms), on the shipped
// entry point (dist-bundle/kured: sh → exec node with the shipped flags → kured.mjs) against the
// in-process API server, with a sentinel file that does not exist. Measured two ways, each run
// several times, without changing the daemon:
//  - traced: under `strace -f --seccomp-bpf -ttt`, from the entry point's execve() to the first
//    stat of the sentinel path (the file detector's check; kured checks once at start and then
//    every minute). The filter stops the process only at exec and stat-family calls, so tracing
//    adds little, and what it adds counts against us.
//  - untraced: from spawn() to the first /metrics answer carrying kured_reboot_required (absent
//    until the first check, docs/metrics.md), polled every 5 ms; an upper bound that includes the
//    polling and one HTTP round trip.
// Usage: npm run bench -- daemon-first-check   (or: node bench/daemon-first-check.bench.ts after a build)
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startCluster } from "@kured/testkit";
import {
  buildBundle,
  daemonScratch,
  freePort,
  launcherPath,
  machine,
  spawnChild,
  summary,
  until,
} from "./support/bundled-kured.ts";

const RUNS = 7;
const GOAL_MS = 300;

/** Milliseconds from the first execve to the first stat-family call on `path`, from an strace -ttt log. */
function tracedDelay(trace: string, path: string): number | undefined {
  const lines = trace.split("\n");
  const time = (line: string) => Number(/^\d+\s+(\d+\.\d+)\s/.exec(line)?.[1]);
  const exec = lines.find((l) => /\sexecve\(/.test(l));
  const check = lines.find((l) => /\s(?:new)?f?statx?\(|\slstat\(|\sfstatat64?\(/.test(l) && l.includes(`"${path}"`));
  if (!exec || !check) return undefined;
  return (time(check) - time(exec)) * 1000;
}

async function traced(cluster: Awaited<ReturnType<typeof startCluster>>, node: string): Promise<number> {
  const scratch = await daemonScratch(cluster, node);
  const log = join(scratch.dir, "strace.log");
  const child = spawnChild("strace", [
    "-f",
    "--seccomp-bpf",
    "-ttt",
    "-e",
    "trace=execve,stat,lstat,newfstatat,statx",
    "-o",
    log,
    launcherPath,
    ...scratch.args,
  ]);
  try {
    let delay: number | undefined;
    await until(
      () =>
        (delay = existsSync(log) ? tracedDelay(readFileSync(log, "utf8"), scratch.sentinel) : undefined) !== undefined,
      20_000,
      `the sentinel check in ${log}\n${child.output()}`,
    );
    return delay as number;
  } finally {
    // the daemon is strace's child: SIGTERM it directly (strace would detach and leave it running)
    const daemonPid = existsSync(log) ? Number(/^(\d+)\s/.exec(readFileSync(log, "utf8"))?.[1]) : 0;
    try {
      if (daemonPid) process.kill(daemonPid, "SIGTERM");
    } catch {
      // already gone
    }
    await child.stop();
    scratch.remove();
  }
}

async function untraced(cluster: Awaited<ReturnType<typeof startCluster>>, node: string): Promise<number> {
  const port = await freePort();
  const scratch = await daemonScratch(cluster, node, port);
  const child = spawnChild(launcherPath, scratch.args);
  const gauge = new RegExp(`^kured_reboot_required\\{node="${node}"\\} 0$`, "m");
  try {
    let seenAt = 0;
    await until(
      async () => {
        try {
          const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          if (!gauge.test(body)) return false;
          seenAt = performance.now();
          return true;
        } catch {
          return false; // not listening yet
        }
      },
      20_000,
      `kured_reboot_required on /metrics\n${child.output()}`,
      5,
    );
    return seenAt - child.spawnedAt;
  } finally {
    await child.stop();
    scratch.remove();
  }
}

if (spawnSync("strace", ["-V"]).status !== 0) throw new Error("strace is needed (apt-get install strace)");
buildBundle();
const cluster = await startCluster({ nodes: ["node-1"], inProcess: true });
try {
  const tracedMs: number[] = [];
  const untracedMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    tracedMs.push(await traced(cluster, "node-1"));
    untracedMs.push(await untraced(cluster, "node-1"));
  }
  const t = summary(tracedMs);
  const u = summary(untracedMs);
  const round = (ms: number) => Number(ms.toFixed(1));
  console.log(
    JSON.stringify({
      bench: "daemon-first-check",
      runs: RUNS,
      medianMs: round(t.median),
      maxMs: round(t.max),
      goalMs: GOAL_MS,
      met: t.max <= GOAL_MS,
      untracedMetricsMedianMs: round(u.median),
      untracedMetricsMaxMs: round(u.max),
      ...machine(),
    }),
  );
} finally {
  await cluster.close();
}
