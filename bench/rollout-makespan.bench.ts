// Makespan of a 50-node rollout against its limit (DESIGN §9: ≤ 1.05 × ⌈N/c⌉ × (drain + reboot +
// ready)), with concurrency 1 and 3: `kured simulate --virtual-time --nodes 50 --json` on the
// shipped entry point, with simulate's defaults (30 s drain, 60 s reboot, 1 min period). The
// makespan is first lock taken → last lock released, on the simulation's clock.
// Usage: npm run bench -- rollout-makespan   (or: node bench/rollout-makespan.bench.ts after a build)
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { buildBundle, launcherPath, machine, spawnChild } from "./support/bundled-kured.ts";

const NODES = 50;
const GOAL = 1.05;

interface Summary {
  nodes: number;
  concurrency: number;
  rebooted: number;
  uncordoned: number;
  makespanSeconds: number;
  limitSeconds: number;
  maxConcurrent: number;
  apiRequests: number;
  lockFree: boolean;
  completed: boolean;
}

async function rollout(concurrency: number): Promise<Summary & { ratio: number; wallSeconds: number }> {
  const dir = mkdtempSync(join(os.tmpdir(), "kured-bench-simulate-"));
  try {
    const args = ["simulate", "--virtual-time", `--nodes=${NODES}`, `--concurrency=${concurrency}`, "--json"];
    const child = spawnChild(launcherPath, [...args, `--timeline=${join(dir, "timeline.svg")}`], { cwd: dir });
    const code = await child.exited;
    const wallSeconds = (performance.now() - child.spawnedAt) / 1000;
    const line = child.output().trim().split("\n").at(-1) ?? "";
    if (code !== 0) throw new Error(`kured ${args.join(" ")} exited ${code}:\n${child.output()}`);
    const s = JSON.parse(line) as Summary;
    return {
      ...s,
      ratio: Number((s.makespanSeconds / s.limitSeconds).toFixed(4)),
      wallSeconds: Number(wallSeconds.toFixed(1)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

buildBundle();
const runs = [await rollout(1), await rollout(3)];
console.log(
  JSON.stringify({
    bench: "rollout-makespan",
    nodes: NODES,
    goal: GOAL,
    met: runs.every((r) => r.ratio <= GOAL && r.rebooted === NODES && r.uncordoned === NODES && r.lockFree),
    runs: runs.map((r) => ({
      concurrency: r.concurrency,
      makespanSeconds: r.makespanSeconds,
      limitSeconds: r.limitSeconds,
      ratio: r.ratio,
      maxConcurrent: r.maxConcurrent,
      rebooted: r.rebooted,
      uncordoned: r.uncordoned,
      lockFree: r.lockFree,
      apiRequests: r.apiRequests,
      wallSeconds: r.wallSeconds,
    })),
    ...machine(),
  }),
);
