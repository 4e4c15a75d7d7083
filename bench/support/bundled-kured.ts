// Shared by the daemon benchmarks: builds the bundle (what ships), runs it as a child process
// against a testkit cluster, and reads a process's resident memory. Not a benchmark itself
// (bench/run.ts only runs *.bench.ts).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Cluster } from "@kured/testkit";

/** The repository root. */
export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
/** The image's entry point: a shell script that execs Node with the shipped flags on kured.mjs. */
export const launcherPath = join(repoRoot, "apps/kured/dist-bundle/kured");
/** The bundled program itself. */
export const bundlePath = join(repoRoot, "apps/kured/dist-bundle/kured.mjs");

/** The environment of every child: `node` on PATH is the Node running the benchmark. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: [dirname(process.execPath), process.env.PATH ?? ""].join(delimiter), ...extra };
}

/** Rebuilds the bundle from the built packages (npm run bench builds them first). */
export function buildBundle(): void {
  const r = spawnSync(process.execPath, [join(repoRoot, "apps/kured/scripts/bundle.ts")], {
    cwd: join(repoRoot, "apps/kured"),
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`bundling failed:\n${r.stdout}${r.stderr}`);
}

/** The machine, for the record in docs/BENCHMARKS.md. */
export function machine(): { cpus: number; cpuModel: string; memoryGiB: number; node: string } {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
  };
}

/** Resident memory of a live process from /proc/PID/smaps_rollup, in bytes; undefined once it is gone. */
export function memoryOf(pid: number): { rss: number; anonymous: number; fileBacked: number } | undefined {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(rollup)?.[1] ?? 0);
    const rss = kb("Rss") * 1024;
    const anonymous = kb("Anonymous") * 1024;
    return { rss, anonymous, fileBacked: rss - anonymous };
  } catch {
    return undefined;
  }
}

/** A running child process with its output kept for diagnostics. */
export interface Child {
  readonly pid: number;
  /** performance.now() just before spawn() */
  readonly spawnedAt: number;
  /** everything the process wrote to stdout and stderr so far */
  output(): string;
  /** resolves with the exit code (or signal name) once the process has exited */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited */
  stop(): Promise<void>;
}

/** Spawns `command args` (with `node` on PATH being this Node) and keeps its output. */
export function spawnChild(command: string, args: readonly string[], options: { cwd?: string } = {}): Child {
  let output = "";
  const spawnedAt = performance.now();
  const child = spawn(command, args, {
    env: childEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  if (child.pid === undefined) throw new Error(`cannot spawn ${command} ${args.join(" ")}`);
  return {
    pid: child.pid,
    spawnedAt,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Where a daemon's files go, and the flags that point it at the cluster. */
export interface DaemonScratch {
  readonly dir: string;
  /** the sentinel path given with --reboot-sentinel (absent unless a benchmark creates it) */
  readonly sentinel: string;
  /** --kubeconfig, --node-id, --reboot-sentinel, --metrics-host/port */
  readonly args: string[];
  remove(): void;
}

/** Writes a kubeconfig for `node` and returns the daemon's flags (metrics on `metricsPort`, 0 = any free port). */
export async function daemonScratch(cluster: Cluster, node: string, metricsPort = 0): Promise<DaemonScratch> {
  if (!cluster.server) throw new Error("the benchmarks need the in-process cluster");
  const dir = mkdtempSync(join(os.tmpdir(), "kured-bench-"));
  const kubeconfig = join(dir, "kubeconfig");
  await cluster.server.writeKubeconfig(kubeconfig);
  const sentinel = join(dir, "reboot-required");
  return {
    dir,
    sentinel,
    args: [
      `--kubeconfig=${kubeconfig}`,
      `--node-id=${node}`,
      `--reboot-sentinel=${sentinel}`,
      "--metrics-host=127.0.0.1",
      `--metrics-port=${metricsPort}`,
    ],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== "object" || !address) throw new Error("no port");
  return address.port;
}

/** Resolves when `predicate` holds, polling every `everyMs`; rejects after `timeoutMs`. */
export async function until(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 20,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await predicate())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The median and the largest of some samples. */
export function summary(samples: readonly number[]): { median: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)] as number, max: sorted.at(-1) as number };
}
