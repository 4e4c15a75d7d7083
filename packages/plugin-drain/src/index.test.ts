import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildOptionTable,
  createLogger,
  kubeApiFor,
  PluginHost,
  resolveConfig,
  systemClock,
  Tokens,
  type KuredPlugin,
} from "@kured/core";
import { startApiServer } from "@kured/testkit";
import { describe, expect, it } from "vitest";
import drainPlugin, { EvictionDrainer, PodBlocker } from "./index.js";

const plugins = [drainPlugin] as KuredPlugin[];
const log = createLogger({ format: "json", level: "silent" });

async function hostFor(args: [string, string[]][]) {
  const server = await startApiServer({});
  const config = resolveConfig(buildOptionTable(plugins), { occurrences: new Map(args), env: {} });
  const host = await PluginHost.start({
    plugins,
    config,
    services: {
      node: "n1",
      clock: systemClock,
      log,
      extra: new Map([[Tokens.Kube, kubeApiFor(server.toKubeConfig())]]),
    },
  });
  return { host, close: () => server.close() };
}

describe("the drain plugin", () => {
  it("registers the eviction drainer with kured's defaults and a 5 s retry delay", async () => {
    const { host, close } = await hostFor([]);
    try {
      expect(host.list()).toEqual([{ pluginId: "drain", kind: "drainer", id: "eviction" }]);
      const drainer = host.resolve("drainer", "eviction");
      expect(drainer).toBeInstanceOf(EvictionDrainer);
      expect((drainer as EvictionDrainer).defaults).toEqual({
        gracePeriodSeconds: -1,
        podSelector: "",
        skipWaitForDeleteTimeoutSeconds: 0,
        timeoutMs: 0,
        evictionRetryDelayMs: 5000,
      });
    } finally {
      await close();
    }
  });

  it("turns the drain flags into the drainer's options", async () => {
    const { host, close } = await hostFor([
      ["drain-grace-period", ["15"]],
      ["drain-pod-selector", ["tier in (batch),app!=db"]],
      ["skip-wait-for-delete-timeout", ["60"]],
      ["drain-timeout", ["10m"]],
      ["drain-eviction-retry-delay", ["1s"]],
    ]);
    try {
      expect((host.resolve("drainer", "eviction") as EvictionDrainer).defaults).toEqual({
        gracePeriodSeconds: 15,
        podSelector: "app!=db,tier in (batch)",
        skipWaitForDeleteTimeoutSeconds: 60,
        timeoutMs: 600_000,
        evictionRetryDelayMs: 1000,
      });
    } finally {
      await close();
    }
  });

  it("registers the pod blocker only when --blocking-pod-selector is given, with every selector", async () => {
    const { host, close } = await hostFor([["blocking-pod-selector", ["app=backup", "job=nightly,tier=db"]]]);
    try {
      expect(host.list("blocker")).toEqual([{ pluginId: "drain", kind: "blocker", id: "pods" }]);
      const blocker = host.resolveAll("blocker")[0] as PodBlocker;
      expect(blocker).toBeInstanceOf(PodBlocker);
      expect(blocker.selectors).toEqual(["app=backup", "job=nightly,tier=db"]);
    } finally {
      await close();
    }
  });

  it("declares every flag as implemented", () => {
    for (const spec of Object.values(drainPlugin.options ?? {})) expect(spec.implemented).toBe(true);
  });

  it("never loads @kubernetes/client-node when the plugin module is imported (only `import type` at top level)", async () => {
    const dir = dirname(fileURLToPath(import.meta.url));
    const sources = (await readdir(dir)).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
    const offenders: string[] = [];
    for (const file of sources) {
      const text = await readFile(join(dir, file), "utf8");
      for (const m of text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+"@kubernetes\/client-node"/gms)) {
        offenders.push(`${file}: ${m[0].split("\n")[0]}`);
      }
      if (text.includes('import("@kubernetes/client-node")')) offenders.push(`${file}: dynamic import`);
    }
    expect(offenders).toEqual([]);
    expect(sources).toContain("eviction-drainer.ts");
  });
});
