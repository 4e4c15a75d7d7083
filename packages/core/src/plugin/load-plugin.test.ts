import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config/load-config.js";
import { corePlugin } from "../core-plugin.js";
import { isKuredError, type KuredError } from "../errors/kured-error.js";
import { createLogger } from "../log/logger.js";
import { systemClock } from "../clock/system-clock.js";
import { loadPlugin } from "./load-plugin.js";
import { PluginHost } from "./plugin-host.js";

const fixtures = fileURLToPath(new URL("./__fixtures__/", import.meta.url));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isKuredError(e)) return e.code;
    throw e;
  }
  throw new Error("expected a KuredError");
}

describe("loading a plugin from a package directory", () => {
  it("loads the default export and resolves the blocker it registered", async () => {
    const loaded = await loadPlugin("./plugin-ok", { cwd: fixtures });
    expect(loaded.plugin.id).toBe("fixture-ok");
    expect(loaded.packageName).toBe("kured-plugin-fixture-ok");

    const { config, plugins } = await loadConfig({
      argv: ["--plugin", "./plugin-ok", "--fixture-markers=a,b"],
      env: {},
      builtins: [corePlugin],
      cwd: fixtures,
    });
    const log = createLogger({ format: "json", level: "silent" });
    const host = await PluginHost.start({
      plugins: plugins.map((p) => p.plugin),
      config: config!,
      services: { node: "node-a", clock: systemClock, log },
    });
    expect(host.list("blocker")).toEqual([{ pluginId: "fixture-ok", kind: "blocker", id: "fixture-markers" }]);
    const [blocker] = host.resolveAll("blocker");
    const verdict = await blocker!.check({
      node: "node-a",
      signal: new AbortController().signal,
      log,
      clock: systemClock,
    });
    expect(verdict).toEqual({ blocked: true, reason: { code: "fixture-marker", message: "markers: a b" } });
  });

  it("fails with KURED_ERR_PLUGIN_INCOMPATIBLE on the package's peer range before its code runs", async () => {
    const g = globalThis as { __kuredFixtureIncompatibleRan?: boolean };
    await expect(codeOf(loadPlugin("./plugin-incompatible-peer", { cwd: fixtures }))).resolves.toBe(
      "KURED_ERR_PLUGIN_INCOMPATIBLE",
    );
    expect(g.__kuredFixtureIncompatibleRan).toBeUndefined();
  });

  it("fails with KURED_ERR_PLUGIN_INCOMPATIBLE on the plugin's core range before options are read or anything registers", async () => {
    const g = globalThis as { __kuredFixtureIncompatibleRegistered?: boolean };
    let error: KuredError | undefined;
    try {
      // --period=0 is invalid too: the incompatibility must be reported first, alone.
      await loadConfig({
        argv: ["--plugin=./plugin-incompatible-core", "--period=0"],
        env: {},
        builtins: [corePlugin],
        cwd: fixtures,
        enforceRequired: true,
      });
    } catch (e) {
      error = e as KuredError;
    }
    expect(error?.code).toBe("KURED_ERR_PLUGIN_INCOMPATIBLE");
    expect(error?.message).toContain(">=9.0.0");
    expect(error?.message).toContain("1.0.0");
    expect(g.__kuredFixtureIncompatibleRegistered).toBeUndefined();
  });

  it.each([
    ["./does-not-exist", "KURED_ERR_PLUGIN_NOT_FOUND"],
    ["kured-plugin-nobody-published", "KURED_ERR_PLUGIN_NOT_FOUND"],
    ["./not-a-plugin", "KURED_ERR_PLUGIN_INVALID"],
    ["./bad-export", "KURED_ERR_PLUGIN_INVALID"],
    ["./throws-on-import", "KURED_ERR_PLUGIN_LOAD_FAILED"],
  ])("refuses %s with %s", async (source, code) => {
    await expect(codeOf(loadPlugin(source, { cwd: fixtures }))).resolves.toBe(code);
  });

  it("refuses the same plugin twice with KURED_ERR_PLUGIN_DUPLICATE", async () => {
    await expect(
      codeOf(
        loadConfig({ argv: ["--plugin=./plugin-ok,./plugin-ok"], env: {}, builtins: [corePlugin], cwd: fixtures }),
      ),
    ).resolves.toBe("KURED_ERR_PLUGIN_DUPLICATE");
  });

  it("takes plugins from KURED_PLUGIN when the flag is absent", async () => {
    const { plugins } = await loadConfig({
      argv: [],
      env: { KURED_PLUGIN: "./plugin-ok" },
      builtins: [corePlugin],
      cwd: fixtures,
    });
    expect(plugins.map((p) => p.plugin.id)).toEqual(["kured", "fixture-ok"]);
  });

  it("resolves a package name through node_modules like Node does", async () => {
    // @kured/plugin-sentinel is a workspace package linked into the root node_modules.
    const loaded = await loadPlugin("@kured/plugin-sentinel", { cwd: fixtures });
    expect(loaded.plugin.id).toBe("sentinel");
  });
});
