/**
 * The lock race property, shared by both backends' test files:  N ∈ [2, 30] contenders with
 * concurrency c ∈ [1, 5], against the in-process API server injecting 409s, 5xx, latency and
 * dropped connections, with contenders that crash (possibly mid-request, possibly holding a slot).
 * Checked from the server's own history of the lock object:
 *  - at no stored version are there more than c unexpired holders;
 *  - every contender told "acquired" appears as a holder in the history;
 *  - every slot is released by its holder, or (crashed holders) expires: after the TTL nobody holds it.
 *
 * One server and one virtual clock serve every run; each run gets its own lock object.
 */
import { DaemonSetLockBackend, kubeApiFor, LeaseLockBackend, type KubeApi, type LockBackend } from "@kured/core";
import {
  findResource,
  makeKuredDaemonSet,
  skipReasonForRealCluster,
  startApiServer,
  VirtualClock,
  type ApiServer,
  type ResourceType,
  seededRandom,
} from "@kured/testkit";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runContender, type ContenderPlan } from "./contender.js";
import { recordLockHistory, type WatchedLock } from "./lock-history.js";

/** True under `npm run soak`. */
export const SOAK = process.env.KURED_SOAK === "1" || process.env.KURED_SOAK === "true";
const NAMESPACE = "kube-system";
const ANNOTATION = "weave.works/kured-node-lock";
const MINUTE = 60_000;
const TTL_MS = 20 * MINUTE;
const PERIOD_MS = 2 * MINUTE;

const skip = skipReasonForRealCluster("faults", "virtualTime", "audit");

const faultsArb = fc.record({
  conflictRate: fc.constantFrom(0, 0.1, 0.3),
  serverErrorRate: fc.constantFrom(0, 0.05, 0.15),
  dropRate: fc.constantFrom(0, 0.05, 0.1),
  latencyMs: fc.constantFrom(0, 50, 2000),
});

const planArb = (n: number): fc.Arbitrary<ContenderPlan[]> =>
  fc.array(
    fc.record(
      {
        waitMs: fc.integer({ min: PERIOD_MS / 2, max: PERIOD_MS }),
        holdMs: fc.integer({ min: 0, max: 2 * MINUTE }),
        attempts: fc.integer({ min: 1, max: 4 }),
        crashAtMs: fc.integer({ min: 0, max: 10 * MINUTE }),
        watches: fc.boolean(),
      },
      { requiredKeys: ["waitMs", "holdMs", "attempts"] },
    ),
    { minLength: n, maxLength: n },
  );

/** Mostly small crowds (cheap runs, many of them), regularly the full 30. */
const contendersArb = fc.oneof(
  { weight: 7, arbitrary: fc.integer({ min: 2, max: 6 }) },
  { weight: 2, arbitrary: fc.integer({ min: 7, max: 15 }) },
  { weight: 1, arbitrary: fc.integer({ min: 16, max: 30 }) },
);

const scenarioArb = fc
  .record({
    n: contendersArb,
    c: fc.integer({ min: 1, max: 5 }),
    faults: faultsArb,
    seed: fc.integer(),
  })
  .chain((s) => planArb(s.n).map((plans) => ({ ...s, plans })));

/** Registers the property for one backend, with `runs` runs (KURED_LOCK_RUNS overrides). */
export function describeLockRace(kind: "daemonset" | "lease", defaultRuns: number): void {
  const RUNS = Number(process.env.KURED_LOCK_RUNS ?? defaultRuns);
  describe.skipIf(skip !== undefined)(`the ${kind} lock under races, faults and crashes (property)`, () => {
    let server: ApiServer;
    const clock = new VirtualClock();
    let kube: KubeApi;
    let run = 0;

    beforeAll(async () => {
      server = await startApiServer({ clock, historyLimit: 100_000 });
      const kc = server.toKubeConfig();
      kube = kubeApiFor(kc);
    });
    afterAll(async () => {
      await server?.close();
    });

    it(
      `never more than c holders, and every slot released or expired (${RUNS} runs)`,
      { timeout: SOAK ? 4 * 3_600_000 : 300_000 },
      async () => {
        await fc.assert(
          fc.asyncProperty(scenarioArb, async (scenario) => {
            const name = `race-${++run}`;
            const lock: WatchedLock =
              kind === "daemonset"
                ? { kind: "daemonset", namespace: NAMESPACE, name, annotation: ANNOTATION }
                : { kind: "lease", namespace: NAMESPACE, name };
            if (kind === "daemonset") {
              server.registry.create(
                findResource("apps", "v1", "daemonsets") as ResourceType,
                NAMESPACE,
                makeKuredDaemonSet({ name, namespace: NAMESPACE }),
                { internal: true },
              );
            }
            const history = recordLockHistory(server, lock, scenario.c, clock);
            server.faults.clear();
            server.faults.seed(scenario.seed);
            const resource = kind === "daemonset" ? "daemonsets" : "leases";
            const { conflictRate, serverErrorRate, dropRate, latencyMs } = scenario.faults;
            if (conflictRate > 0)
              server.faults.add({ resource, verb: ["patch", "update", "create"], status: 409, rate: conflictRate });
            if (serverErrorRate > 0) server.faults.add({ resource, status: 503, rate: serverErrorRate });
            if (dropRate > 0) server.faults.add({ resource, drop: true, rate: dropRate });
            if (latencyMs > 0) server.faults.add({ resource, latencyMs, rate: 0.3 });

            const runAbort = new AbortController();
            const options = {
              kube,
              namespace: NAMESPACE,
              name,
              concurrency: scenario.c,
              ttlMs: TTL_MS,
              periodMs: PERIOD_MS,
              clock,
              detectGoneHolders: false,
            };
            const backends: LockBackend[] = scenario.plans.map((_, i) => {
              const random = seededRandom(scenario.seed + i);
              return kind === "daemonset"
                ? new DaemonSetLockBackend({ ...options, annotation: ANNOTATION, random })
                : new LeaseLockBackend({ ...options, random });
            });
            const t0 = performance.now();
            const v0 = clock.now().getTime();
            try {
              const outcomes = await clock.runUntil(
                Promise.all(
                  backends.map((b, i) =>
                    runContender(b, `node-${i + 1}`, scenario.plans[i] as ContenderPlan, clock, runAbort.signal),
                  ),
                ),
                { maxMs: 24 * 60 * MINUTE },
              );
              server.faults.clear();
              if (process.env.KURED_LOCK_DEBUG) {
                console.log(
                  scenario.n,
                  scenario.c,
                  kind,
                  JSON.stringify(scenario.faults),
                  "requests",
                  server.audit.count(),
                  "versions",
                  history.versions.length,
                  "ms",
                  performance.now() - t0,
                  "virtual",
                  clock.now().getTime() - v0,
                );
                server.audit.clear();
              }

              // never more than c holders at any stored version
              for (const v of history.versions) {
                expect(
                  v.holders.length,
                  `holders at ${v.at.toISOString()}: ${v.holders.join(", ")}`,
                ).toBeLessThanOrEqual(scenario.c);
              }
              // whoever was told "acquired" was a holder in the stored state
              const everHeld = new Set(history.versions.flatMap((v) => v.holders));
              for (const o of outcomes) if (o.acquired) expect(everHeld.has(o.node), `${o.node} acquired`).toBe(true);
              // contenders that lived released their slot; crashed holders' slots expire with the TTL
              const current = () =>
                server.store.get("apps/daemonsets", NAMESPACE, name) as Parameters<typeof history.holdersNow>[0];
              const survivors = new Set(outcomes.filter((o) => !o.crashed).map((o) => o.node));
              const left = history.holdersNow(current());
              expect(
                left.filter((h) => survivors.has(h)),
                "holders left by contenders that did not crash",
              ).toEqual([]);
              await clock.advance(TTL_MS + 1000);
              expect(history.holdersNow(current()), "holders once every TTL has passed").toEqual([]);
            } finally {
              runAbort.abort();
              history.stop();
              server.faults.clear();
              await clock.settle();
              // each run's objects and requests go, so that run 5,000 costs what run 1 did (the
              // Lease backend lists its namespace's slots; the audit log keeps every request)
              for (const storage of ["apps/daemonsets", "coordination.k8s.io/leases"]) {
                const [group, resource] = storage.split("/") as [string, string];
                const type = findResource(group, "v1", resource) as ResourceType;
                for (const o of server.store.list(storage, NAMESPACE)) {
                  const objectName = o.metadata?.name ?? "";
                  if (objectName === name || objectName.startsWith(`${name}-`))
                    server.registry.delete(type, NAMESPACE, objectName);
                }
              }
              server.audit.clear();
              await clock.settle();
            }
          }),
          { numRuns: RUNS, seed: process.env.KURED_LOCK_SEED ? Number(process.env.KURED_LOCK_SEED) : undefined },
        );
      },
    );
  });
}
