import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildOptionTable,
  createLogger,
  isKuredError,
  PluginHost,
  resolveConfig,
  systemClock,
  type KuredPlugin,
} from "@kured/core";
import { afterAll, describe, expect, it } from "vitest";
import { parseExposition, seriesValue } from "./__fixtures__/exposition.js";
import { serveRoute } from "./__fixtures__/route-server.js";
import prometheusPlugin from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "kured-prom-plugin-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TOKEN = join(dir, "token");
writeFileSync(TOKEN, "t0ken");
const NOT_PEM = join(dir, "not.pem");
writeFileSync(NOT_PEM, "hello");

const plugins = [prometheusPlugin as unknown as KuredPlugin];
const log = createLogger({ format: "json", level: "silent" });

function config(flags: Record<string, string[]>, env: Record<string, string> = {}) {
  return resolveConfig(buildOptionTable(plugins), { occurrences: new Map(Object.entries(flags)), env });
}

function values(flags: Record<string, string[]>, env: Record<string, string> = {}): Record<string, unknown> {
  return config(flags, env).values.get("prometheus") ?? {};
}

async function host(flags: Record<string, string[]>): Promise<PluginHost> {
  return PluginHost.start({ plugins, config: config(flags), services: { node: "node-a", clock: systemClock, log } });
}

function problem(flags: Record<string, string[]>): string {
  try {
    config(flags);
  } catch (e) {
    if (isKuredError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  return "no problem";
}

describe("the prometheus plugin's options", () => {
  it("implements kured's four flags", () => {
    expect(
      values({
        "prometheus-url": ["http://prom:9090/x"],
        "alert-filter-regexp": ["^Reboot"],
        "alert-filter-match-only": ["true"],
        "alert-firing-only": ["true"],
      }),
    ).toMatchObject({
      prometheusUrl: new URL("http://prom:9090/x"),
      alertFilterRegexp: expect.any(RegExp),
      alertFilterMatchOnly: true,
      alertFiringOnly: true,
    });
  });

  it("defaults --prometheus-timeout to 10s and keeps commas in --prometheus-query", () => {
    const v = values({ "prometheus-url": ["http://p"], "prometheus-query": ["sum by (a, b) (x) > 0", "y"] });
    expect(v["prometheusTimeout"]).toBe(10_000);
    expect(v["prometheusQuery"]).toEqual(["sum by (a, b) (x) > 0", "y"]);
  });

  it("takes one query per line from KURED_PROMETHEUS_QUERY", () => {
    const v = values({}, { KURED_PROMETHEUS_URL: "http://p", KURED_PROMETHEUS_QUERY: 'a > 0\n  b{c="d,e"} > 0\n' });
    expect(v["prometheusQuery"]).toEqual(["a > 0", 'b{c="d,e"} > 0']);
  });

  it.each<[string, Record<string, string[]>, RegExp]>([
    ["a query without a URL", { "prometheus-query": ["up == 0"] }, /--prometheus-query.*needs --prometheus-url/],
    [
      "an empty query",
      { "prometheus-url": ["http://p"], "prometheus-query": [" "] },
      /--prometheus-query.*must not be empty/,
    ],
    [
      "a token without a URL",
      { "prometheus-bearer-token-file": [TOKEN] },
      /--prometheus-bearer-token-file.*needs --prometheus-url/,
    ],
    [
      "a token and URL credentials",
      { "prometheus-url": ["http://u:p@prom"], "prometheus-bearer-token-file": [TOKEN] },
      /already has credentials/,
    ],
    [
      "a token file that is not there",
      { "prometheus-url": ["http://p"], "prometheus-bearer-token-file": [join(dir, "missing")] },
      /cannot read the file \(ENOENT\)/,
    ],
    ["a CA file for http", { "prometheus-url": ["http://p"], "prometheus-ca-file": [NOT_PEM] }, /is not https/],
    [
      "a CA file without PEM",
      { "prometheus-url": ["https://p"], "prometheus-ca-file": [NOT_PEM] },
      /holds no PEM certificate/,
    ],
    ["a zero timeout", { "prometheus-timeout": ["0"] }, /--prometheus-timeout.*must be greater than 0/],
    ["a bad regexp", { "alert-filter-regexp": ["(a"] }, /--alert-filter-regexp/],
  ])("refuses %s at start-up", (_, flags, message) => {
    const text = problem(flags);
    expect(text).toMatch(/^KURED_ERR_CONFIG_INVALID/);
    expect(text).toMatch(message);
  });

  it("never shows URL credentials in a start-up error", () => {
    const text = problem({ "prometheus-url": ["http://admin:hunter2@prom"], "prometheus-bearer-token-file": [TOKEN] });
    expect(text).not.toContain("hunter2");
  });
});

describe("the prometheus plugin's components", () => {
  it.each<[string, Record<string, string[]>, string[]]>([
    ["without --prometheus-url: metrics only", {}, ["subscriber:prometheus-metrics", "httpRoute:prometheus-metrics"]],
    [
      "with --prometheus-url: the alert blocker",
      { "prometheus-url": ["http://p"] },
      ["subscriber:prometheus-metrics", "httpRoute:prometheus-metrics", "blocker:prometheus-alerts"],
    ],
    [
      "with queries: one blocker each",
      { "prometheus-url": ["http://p"], "prometheus-query": ["a", "b"] },
      [
        "subscriber:prometheus-metrics",
        "httpRoute:prometheus-metrics",
        "blocker:prometheus-alerts",
        "blocker:prometheus-query-1",
        "blocker:prometheus-query-2",
      ],
    ],
  ])("%s", async (_, flags, expected) => {
    const h = await host(flags);
    expect(h.list().map((r) => `${r.kind}:${r.id}`)).toEqual(expected);
    for (const b of h.resolveAll("blocker")) expect(b.scope).toBe("cluster");
  });

  it("serves on its route what its subscriber was told", async () => {
    const h = await host({});
    const route = h.resolve("httpRoute", "prometheus-metrics");
    await h.resolve("subscriber", "prometheus-metrics").handle({
      kind: "reboot-required",
      sample: { node: "node-a", required: true, at: new Date() },
    });
    const server = await serveRoute(route);
    try {
      const lines = parseExposition(await (await fetch(server.url)).text());
      expect(seriesValue(lines, "kured_reboot_required", { node: "node-a" })).toBe(1);
    } finally {
      await server.close();
    }
  });
});
