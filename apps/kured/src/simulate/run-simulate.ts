import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { formatGoDuration, type LoadedConfig, type ResolvedConfig } from "@kured/core";
import type { CliIo } from "../cli/io.js";
import { LiveView } from "./live-view.js";
import type { SimulateValues } from "./simulate-plugin.js";
import { runSimulation, type SimulationResult } from "./simulation.js";
import { timelineSvg } from "./timeline-svg.js";

/** A simulation preview checks every minute unless told otherwise (kured's 1h would only add waiting). */
const SIMULATE_PERIOD_MS = 60_000;

function withSimulationDefaults(config: ResolvedConfig): ResolvedConfig {
  if (config.origins.get("period") !== "default") return config;
  const values = new Map(config.values);
  values.set("kured", { ...(config.values.get("kured") ?? {}), period: SIMULATE_PERIOD_MS });
  return { ...config, values };
}

function seconds(s: number): string {
  return formatGoDuration(Math.round(s) * 1000);
}

/** The summary for people. */
export function summaryText(r: SimulationResult, sim: SimulateValues, timeline: string | undefined): string {
  const ok = r.completed && r.rebooted === r.nodes && r.uncordoned === r.nodes && r.lockFree;
  const lines = [
    "",
    `Rollout of ${r.nodes} nodes, concurrency ${r.concurrency}${r.virtualTime ? ", virtual time" : ""}: ${
      ok ? "done" : "NOT complete"
    }`,
    `  rebooted         ${r.rebooted}/${r.nodes}`,
    `  uncordoned       ${r.uncordoned}/${r.nodes}`,
    `  lock free        ${r.lockFree ? "yes" : "no"}`,
    `  makespan         ${seconds(r.makespanSeconds)} (first lock taken → last lock released)`,
    `  limit            ${seconds(r.limitSeconds)} = ⌈${r.nodes}/${r.concurrency}⌉ × (${sim.drainSeconds}s drain + ${sim.rebootSeconds}s reboot + 0s ready)`,
    `  ratio            ${r.limitSeconds > 0 ? (r.makespanSeconds / r.limitSeconds).toFixed(3) : "n/a"}`,
    `  max concurrent   ${r.maxConcurrent}`,
    `  API requests     ${r.apiRequests}`,
  ];
  if (timeline) lines.push(`  timeline         ${timeline}`);
  return lines.join("\n") + "\n";
}

/** The summary for scripts: one JSON object. */
export function summaryJson(r: SimulationResult, timeline: string | undefined): string {
  return (
    JSON.stringify({
      nodes: r.nodes,
      concurrency: r.concurrency,
      rebooted: r.rebooted,
      uncordoned: r.uncordoned,
      makespanSeconds: r.makespanSeconds,
      limitSeconds: r.limitSeconds,
      maxConcurrent: r.maxConcurrent,
      apiRequests: r.apiRequests,
      lockFree: r.lockFree,
      completed: r.completed,
      virtualTime: r.virtualTime,
      ...(timeline ? { timeline } : {}),
    }) + "\n"
  );
}

/** `kured simulate`: exit 0 when every node rebooted once, all are uncordoned and the lock is free. */
export async function runSimulate(loaded: LoadedConfig, io: CliIo): Promise<number> {
  const config = withSimulationDefaults(loaded.config as ResolvedConfig);
  const sim = config.values.get("simulate") as unknown as SimulateValues;
  const view = sim.json ? undefined : new LiveView(io.stdout, new Date());
  let viewStart: Date | undefined;
  const result = await runSimulation({
    config,
    plugins: loaded.plugins.map((p) => p.plugin).filter((p) => p.id !== "simulate"),
    sim,
    ...(view
      ? {
          onProgress: (records, now) => {
            viewStart ??= now;
            view.update(records, now);
          },
        }
      : {}),
  });
  let timeline: string | undefined;
  if (sim.timeline) {
    timeline = resolve(io.cwd, sim.timeline);
    const title = `kured simulate: ${result.nodes} nodes, concurrency ${result.concurrency}`;
    writeFileSync(timeline, timelineSvg(result.records, result.startedAt, result.endedAt, title));
  }
  io.stdout.write(sim.json ? summaryJson(result, timeline) : summaryText(result, sim, timeline));
  const ok =
    result.completed && result.rebooted === result.nodes && result.uncordoned === result.nodes && result.lockFree;
  return ok ? 0 : 1;
}
