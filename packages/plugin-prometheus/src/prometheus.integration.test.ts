import {
  buildOptionTable,
  createEventBus,
  createLogger,
  PluginHost,
  resolveConfig,
  systemClock,
  type BlockerResult,
  type KuredPlugin,
} from "@kured/core";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  freePort,
  findPrometheus,
  INSTALL_HINT,
  startRealPrometheus,
  type RealPrometheus,
} from "./__fixtures__/real-prometheus.js";
import { serveRoute } from "./__fixtures__/route-server.js";
import prometheusPlugin from "./index.js";

// One alert firing at once, one pending for an hour, and the RebootRequired alert kured's docs
// recommend (here always on, standing for a node that has waited 24 h).
const RULES = `
groups:
  - name: kured-integration
    interval: 1s
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        for: 0s
      - alert: AlwaysPending
        expr: vector(1)
        for: 1h
      - alert: RebootRequired
        expr: vector(1)
        for: 0s
`;

const NODE = "node-int";
const MONITORING = fileURLToPath(new URL("../../../deploy/monitoring/", import.meta.url));

/** The rule groups of the PrometheusRule, as a plain rule file (`spec:` dedented). */
function ruleFileOf(prometheusRule: string): string {
  const lines = prometheusRule.split("\n");
  const spec = lines.findIndex((l) => l === "spec:");
  return lines
    .slice(spec + 1)
    .map((l) => l.replace(/^ {2}/, ""))
    .join("\n");
}

/** Grafana's variables, replaced by values Prometheus accepts. */
function withoutGrafanaVariables(expr: string): string {
  return expr.replaceAll("$node", ".*").replaceAll("$__range", "1h").replaceAll("$__rate_interval", "1m");
}
const plugins = [prometheusPlugin as unknown as KuredPlugin];
const log = createLogger({ format: "json", level: "silent" });
const binary = findPrometheus();

async function host(flags: Record<string, string[]>): Promise<PluginHost> {
  const config = resolveConfig(buildOptionTable(plugins), { occurrences: new Map(Object.entries(flags)), env: {} });
  return PluginHost.start({ plugins, config, services: { node: NODE, clock: systemClock, log } });
}

async function check(flags: Record<string, string[]>, id = "prometheus-alerts"): Promise<BlockerResult> {
  const blocker = (await host(flags)).resolve("blocker", id);
  return blocker.check({ node: NODE, clock: systemClock, log, signal: AbortSignal.timeout(15_000) });
}

const blockedBy = (message: string, code = "prometheus-alerts-active"): BlockerResult => ({
  blocked: true,
  reason: { code, message },
});

if (binary === undefined) {
  if (process.env["CI"] === "true") {
    describe("real Prometheus", () => {
      it("is installed (required when CI=true)", () => {
        throw new Error(`no prometheus binary: ${INSTALL_HINT}`);
      });
    });
  } else {
    describe.skip(`real Prometheus: skipped, no prometheus binary — ${INSTALL_HINT}`, () => {
      it("runs the alert blocker and the metrics against a real Prometheus", () => {});
    });
  }
} else {
  const bin = binary;
  describe("against a real Prometheus", () => {
    let prometheus: RealPrometheus;
    let metricsServer: Awaited<ReturnType<typeof serveRoute>>;
    const bus = createEventBus({ log });

    beforeAll(async () => {
      const daemon = await host({});
      bus.subscribe(daemon.resolve("subscriber", "prometheus-metrics"));
      metricsServer = await serveRoute(daemon.resolve("httpRoute", "prometheus-metrics"));
      prometheus = await startRealPrometheus({
        binary: bin,
        rules: RULES,
        scrapeTargets: [`127.0.0.1:${metricsServer.port}`],
        routePrefix: "/prometheus",
      });
      await prometheus.waitFor("rules evaluated", async () => {
        const alerts = await prometheus.query("ALERTS");
        const states = alerts.map((a) => `${a.metric["alertname"]}/${a.metric["alertstate"]}`).sort();
        return states.join(" ") === "AlwaysFiring/firing AlwaysPending/pending RebootRequired/firing";
      });
    });

    afterAll(async () => {
      await prometheus?.stop();
      await metricsServer?.close();
    });

    describe("the alert blocker", () => {
      it.each<[string, Record<string, string[]>, BlockerResult]>([
        [
          "no filter: every active alert blocks",
          {},
          blockedBy("3 active alerts: [AlwaysFiring AlwaysPending RebootRequired]"),
        ],
        [
          "the documented filter leaves the pending alert",
          { "alert-filter-regexp": ["^(AlwaysFiring|RebootRequired)$"] },
          blockedBy("1 active alerts: [AlwaysPending]"),
        ],
        [
          "a filter over every alert: not blocked",
          { "alert-filter-regexp": ["^(AlwaysFiring|AlwaysPending|RebootRequired)$"] },
          { blocked: false },
        ],
        [
          "--alert-firing-only ignores the pending alert",
          { "alert-firing-only": ["true"] },
          blockedBy("2 active alerts: [AlwaysFiring RebootRequired]"),
        ],
        [
          "--alert-firing-only with the documented filter: not blocked",
          { "alert-firing-only": ["true"], "alert-filter-regexp": ["^(AlwaysFiring|RebootRequired)$"] },
          { blocked: false },
        ],
        [
          "--alert-filter-match-only: only the matching alert blocks",
          { "alert-filter-match-only": ["true"], "alert-filter-regexp": ["^RebootRequired$"] },
          blockedBy("1 active alerts: [RebootRequired]"),
        ],
        [
          "--alert-filter-match-only with an unanchored regexp and --alert-firing-only",
          { "alert-filter-match-only": ["true"], "alert-filter-regexp": ["Always"], "alert-firing-only": ["true"] },
          blockedBy("1 active alerts: [AlwaysFiring]"),
        ],
      ])("%s", async (_, flags, expected) => {
        expect(await check({ "prometheus-url": [prometheus.url], ...flags })).toEqual(expected);
      });

      it("keeps the URL's path prefix: without it Prometheus answers 404 and the reboot is blocked", async () => {
        const withoutPrefix = prometheus.url.replace(/\/prometheus$/, "");
        expect(await check({ "prometheus-url": [withoutPrefix] })).toEqual(
          blockedBy("prometheus query error: server returned HTTP status 404 Not Found", "prometheus-query-error"),
        );
      });

      it("blocks with the reason when Prometheus is down", async () => {
        const port = await freePort();
        expect(await check({ "prometheus-url": [`http://kured:s3cret@127.0.0.1:${port}/prometheus`] })).toEqual(
          blockedBy(
            `prometheus query error: Post "http://…@127.0.0.1:${port}/…": connect ECONNREFUSED 127.0.0.1:${port}`,
            "prometheus-query-error",
          ),
        );
      });
    });

    describe("the PromQL blocker", () => {
      it.each<[string, BlockerResult]>([
        [
          'count(ALERTS{alertstate="firing"}) > 1',
          blockedBy(
            'query "count(ALERTS{alertstate=\\"firing\\"}) > 1" returned 1 non-zero sample: {} = 2',
            "prometheus-query-nonzero",
          ),
        ],
        [
          'ALERTS{alertname="AlwaysPending"}',
          blockedBy(
            'query "ALERTS{alertname=\\"AlwaysPending\\"}" returned 1 non-zero sample: ALERTS{alertname="AlwaysPending", alertstate="pending"} = 1',
            "prometheus-query-nonzero",
          ),
        ],
        [
          "scalar(vector(3))",
          blockedBy('query "scalar(vector(3))" returned 1 non-zero sample: {} = 3', "prometheus-query-nonzero"),
        ],
        ['count(ALERTS{alertstate="firing"}) > 5', { blocked: false }],
        ["vector(0)", { blocked: false }],
        [
          "sum(",
          blockedBy(
            'prometheus query error: query "sum(": bad_data: invalid parameter "query": 1:5: parse error: unexpected end of input',
            "prometheus-query-error",
          ),
        ],
      ])("%s", async (query, expected) => {
        const result = await check(
          { "prometheus-url": [prometheus.url], "prometheus-query": [query] },
          "prometheus-query-1",
        );
        if (expected.blocked && expected.reason.code === "prometheus-query-error") {
          // Prometheus words its parse errors differently from release to release.
          expect(result).toMatchObject({ blocked: true, reason: { code: "prometheus-query-error" } });
          expect(result.blocked && result.reason.message).toMatch(
            /^prometheus query error: query "sum\(": bad_data: .*parse error/,
          );
        } else {
          expect(result).toEqual(expected);
        }
      });
    });

    describe("deploy/monitoring", () => {
      const ruleText = readFileSync(join(MONITORING, "kured-prometheusrule.yaml"), "utf8");

      it("holds a PrometheusRule whose rules promtool accepts, with kured's RebootRequired alert", async () => {
        expect(ruleText).toMatch(/- alert: RebootRequired\n\s+expr: max\(kured_reboot_required\) != 0\n\s+for: 24h\n/);
        expect(ruleText).toMatch(/- alert: KuredRebootBlocked\n/);
        const promtool = join(dirname(bin), "promtool");
        expect(existsSync(promtool), `promtool next to ${bin}`).toBe(true);
        const dir = mkdtempSync(join(tmpdir(), "kured-rules-"));
        try {
          writeFileSync(join(dir, "rules.yml"), ruleFileOf(ruleText));
          const { stdout } = await promisify(execFile)(promtool, ["check", "rules", join(dir, "rules.yml")]);
          expect(stdout).toContain("SUCCESS: 2 rules found");
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });

      it("has a Grafana dashboard whose every query Prometheus accepts", async () => {
        const dashboard = JSON.parse(readFileSync(join(MONITORING, "kured-dashboard.json"), "utf8")) as {
          panels: { title: string; targets?: { expr: string }[] }[];
        };
        const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => [p.title, t.expr] as const));
        expect(exprs.length).toBeGreaterThan(10);
        for (const [title, expr] of exprs) {
          const res = await fetch(
            `${prometheus.url}/api/v1/query?${new URLSearchParams({ query: withoutGrafanaVariables(expr) })}`,
          );
          expect(res.status, `${title}: ${expr}: ${await res.clone().text()}`).toBe(200);
        }
      });
    });

    describe("/metrics", () => {
      it.each([true, false, true])(
        "is scraped: kured_reboot_required reads back %s as published on the bus",
        async (required) => {
          bus.publish({ kind: "reboot-required", sample: { node: NODE, required, at: new Date() } });
          await bus.drain();
          await prometheus.waitFor(`kured_reboot_required = ${required ? 1 : 0}`, async () => {
            const samples = await prometheus.query(`kured_reboot_required{node="${NODE}", job="kured"}`);
            return samples.length === 1 && samples[0]?.value[1] === (required ? "1" : "0");
          });
          const holders = await prometheus.query("kured_lock_holders");
          expect(holders).toHaveLength(1);
        },
      );
    });
  });
}
