/**
 * The fault model property, shared by the two backends' test files (so that they run on both
 * cores): 2–4 nodes, each with a real RebootCoordinator per kured process, the lock at
 * --concurrency 1 or 2, with or without --lock-ttl, under a generated schedule of faults and
 * operator actions: reboots becoming required, duplicate processes with the same node name,
 * SIGKILL at any await, SIGTERM, restarts, API outages, 5xx / 409 / latency / dropped
 * connections, refused node patches (403), the manual lock set and removed by hand, a Go kured
 * rewriting the lock in Go's JSON (DaemonSet lock), drains longer than the TTL, failed drains,
 * stale cordon annotations. Invariants (model-run.ts) are checked from the server's own state at
 * every step.
 *
 * One server, one virtual clock for every run; each run gets its own nodes and lock object.
 * Environment: KURED_SOAK=1 (the soak's run counts), KURED_MODEL_RUNS and KURED_MODEL_SEED
 * (override), KURED_MODEL_DEBUG=1 (cost of every run), KURED_MODEL_SURVEY=1 (run every case,
 * then print one example of each kind of failure), KURED_MODEL_REPLAY='<scenario JSON>' (run one
 * counterexample and print its timeline).
 */
import { skipReasonForRealCluster } from "@kured/testkit";
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import { startModelEnv, type ModelEnv } from "./model-env.js";
import { ModelRun, type RunResult } from "./model-run.js";
import { describeScenario, scenarioArb, type Scenario } from "./scenario.js";

export const SOAK = process.env.KURED_SOAK === "1" || process.env.KURED_SOAK === "true";
/**
 * `npm test` runs a fixed seed, so that CI is reproducible (a new failure there is a change's, not
 * luck's); the soak and KURED_MODEL_SEED explore others.
 */
const SEED =
  process.env.KURED_MODEL_SEED !== undefined ? Number(process.env.KURED_MODEL_SEED) : SOAK ? undefined : 4242;
const DEBUG = process.env.KURED_MODEL_DEBUG === "1";
/** Survey mode: run every case without stopping at the first failure, then print the smallest failure per invariant. */
const SURVEY = process.env.KURED_MODEL_SURVEY === "1";
/** Replay one scenario (its JSON, as a counterexample prints it) and print what happened. */
const REPLAY = ((): Scenario | undefined => {
  if (process.env.KURED_MODEL_REPLAY === undefined) return undefined;
  const parsed = JSON.parse(process.env.KURED_MODEL_REPLAY) as Scenario | [Scenario];
  return Array.isArray(parsed) ? parsed[0] : parsed;
})();

const skip = skipReasonForRealCluster("faults", "virtualTime", "audit");

function report(s: Scenario, r: RunResult): string {
  const v = r.violations[0];
  return [
    `invariant ${v?.invariant} violated: ${v?.message}`,
    "",
    "scenario:",
    describeScenario(s),
    "",
    "what happened:",
    ...r.trace.map((l) => `  ${l}`),
    "",
    `API requests of the run: ${JSON.stringify(r.counters ?? {})}`,
  ].join("\n");
}

/** Registers the property for one backend, with `defaultRuns` runs (KURED_MODEL_RUNS overrides). */
export function describeFaultModel(backend: Scenario["backend"], defaultRuns: number): void {
  const RUNS = Number(process.env.KURED_MODEL_RUNS ?? defaultRuns);
  const scenarios = scenarioArb(backend);
  describe.skipIf(skip !== undefined)(
    `the reboot cycle on the ${backend} lock under faults, crashes and manual edits (model)`,
    () => {
      let env: ModelEnv;
      let run = 0;
      const cost = { runs: 0, ms: 0, requests: 0, virtualMs: 0, reboots: 0 };
      const verbs = new Map<string, number>();

      beforeAll(async () => {
        env = await startModelEnv();
      });
      afterAll(async () => {
        if (cost.runs > 0) {
          console.log(
            `fault model (${backend}): ${cost.runs} runs, ${(cost.ms / cost.runs).toFixed(1)} ms/run, ` +
              `${Math.round(cost.requests / cost.runs)} requests/run, ${cost.reboots} reboots, ` +
              `${Math.round(cost.virtualMs / cost.runs / 60_000)} virtual min/run`,
          );
        }
        if (verbs.size > 0) {
          const top = [...verbs].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / cost.runs).toFixed(1)}`);
          console.log(`requests per run: ${top.join(", ")}`);
        }
        await env?.close();
      });

      it.runIf(REPLAY?.backend === backend)("replay", async () => {
        const scenario = REPLAY as Scenario;
        const result = await new ModelRun(env, scenario, ++run).execute();
        console.log(`${describeScenario(scenario)}\n\n${result.trace.join("\n")}`);
        console.log(`${result.requests} requests: ${JSON.stringify(result.counters ?? {})}`);
        if (result.violations.length > 0) throw new Error(report(scenario, result));
      });

      it.runIf(SURVEY)(`survey: which invariants fail (${RUNS} runs)`, { timeout: 4 * 3_600_000 }, async () => {
        const worst = new Map<string, { scenario: Scenario; result: RunResult; size: number }>();
        const counts = new Map<string, number>();
        const block = { ms: 0, requests: 0 };
        for (const scenario of fc.sample(scenarios, { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) })) {
          const started = performance.now();
          const result = await new ModelRun(env, scenario, ++run).execute();
          cost.runs++;
          cost.ms += performance.now() - started;
          cost.requests += result.requests;
          cost.virtualMs += result.virtualMs;
          cost.reboots += result.reboots;
          if (DEBUG && cost.runs % 500 === 0) {
            console.log(
              `runs ${cost.runs - 499}–${cost.runs}: ${((cost.ms - block.ms) / 500).toFixed(1)} ms/run, ` +
                `${((cost.requests - block.requests) / 500).toFixed(0)} requests/run, ${env.clock.pendingTimers().length} timers pending`,
            );
            block.ms = cost.ms;
            block.requests = cost.requests;
          }
          const v = result.violations[0];
          if (!v) continue;
          // one example per kind of failure: the message without its numbers and names
          const kind = `${v.invariant}: ${v.message.replace(/\b[\w.-]*\d[\w.-]*\b/g, "#").slice(0, 90)}`;
          counts.set(kind, (counts.get(kind) ?? 0) + 1);
          const size = scenario.actions.length * 1000 + result.trace.length;
          const known = worst.get(kind);
          if (!known || size < known.size) worst.set(kind, { scenario, result, size });
        }
        console.log(`survey of ${RUNS} runs:\n${[...counts].map(([k, n]) => `  ${n} × ${k}`).join("\n")}`);
        for (const { scenario, result } of worst.values()) console.log(`${report(scenario, result)}\n`);
      });

      it.skipIf(SURVEY || REPLAY !== undefined)(
        `every reboot fenced by a slot, at most c at once, clean at the end, no orphaned slot (${RUNS} runs)`,
        { timeout: SOAK ? 4 * 3_600_000 : 600_000 },
        async () => {
          await fc.assert(
            fc.asyncProperty(scenarios, async (scenario) => {
              const started = performance.now();
              const result = await new ModelRun(env, scenario, ++run).execute();
              const ms = performance.now() - started;
              cost.runs++;
              cost.ms += ms;
              cost.requests += result.requests;
              cost.virtualMs += result.virtualMs;
              cost.reboots += result.reboots;
              if (DEBUG)
                console.log(
                  `run ${run}: ${ms.toFixed(1)} ms, ${result.requests} requests (load ${result.maxLoad.toFixed(0)}), ${result.reboots} reboots, ` +
                    `${Math.round(result.virtualMs / 60_000)} virtual min; ${JSON.stringify(scenario.faults)} ` +
                    `${scenario.backend} c=${scenario.c} ttl=${scenario.ttlMs} ${scenario.actions.map((a) => a.kind).join(",")}`,
                );
              if (DEBUG && result.requests > 1_000)
                console.log(`run ${run} made ${result.requests} requests: ${JSON.stringify(scenario)}`);
              for (const [k, v] of Object.entries(result.counters ?? {})) verbs.set(k, (verbs.get(k) ?? 0) + v);
              if (result.violations.length > 0) throw new Error(report(scenario, result));
            }),
            { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
          );
        },
      );
    },
  );
}
