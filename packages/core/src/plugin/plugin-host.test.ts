import { describe, expect, it } from "vitest";
import { systemClock } from "../clock/system-clock.js";
import { buildOptionTable } from "../config/option-table.js";
import { resolveConfig } from "../config/resolve.js";
import type { Blocker } from "../contracts/blocker.js";
import type { Rebooter } from "../contracts/rebooter.js";
import { isKuredError } from "../errors/kured-error.js";
import { createLogger } from "../log/logger.js";
import { Tokens } from "../tokens.js";
import { checkPlugins } from "./check-plugins.js";
import { definePlugin, type KuredPlugin } from "./define-plugin.js";
import { option } from "./option.js";
import { PluginHost } from "./plugin-host.js";

const log = createLogger({ format: "json", level: "silent" });
const services = { node: "node-a", clock: systemClock, log };

async function start(plugins: KuredPlugin[], argv = new Map<string, string[]>(), extra?: Map<symbol, unknown>) {
  const table = buildOptionTable(plugins);
  const config = resolveConfig(table, { occurrences: argv, env: {} });
  return PluginHost.start({ plugins, config, services: { ...services, ...(extra ? { extra } : {}) } });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isKuredError(e)) return e.code;
    throw e;
  }
  return "no error";
}

async function asyncCodeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isKuredError(e)) return e.code;
    throw e;
  }
  return "no error";
}

const blocker = (id: string): Blocker => ({ id, scope: "node", check: async () => ({ blocked: false }) });
const rebooter = (id: string): Rebooter => ({ id, reboot: async () => undefined });

describe("the plugin host", () => {
  it("gives register() its typed option values and resolves components by kind in order", async () => {
    let seen: unknown;
    const a = definePlugin({
      id: "a",
      core: "^1.0.0",
      options: { aLimit: option.int({ describe: "x", default: 2 }) },
      register(reg, { options }) {
        seen = options.aLimit;
        reg.blocker("a-one", () => blocker("a-one"));
        reg.rebooter("a-reboot", () => rebooter("a-reboot"));
      },
    });
    const b = definePlugin({
      id: "b",
      core: "^1.0.0",
      register(reg) {
        reg.blocker("b-one", () => blocker("b-one"));
      },
    });
    const host = await start([a, b], new Map([["a-limit", ["7"]]]));
    expect(seen).toBe(7);
    expect(host.resolveAll("blocker").map((x) => x.id)).toEqual(["a-one", "b-one"]);
    expect(host.resolve("rebooter", "a-reboot").id).toBe("a-reboot");
    expect(host.resolveAll("notifier")).toEqual([]);
  });

  it("builds each component once (singletons) and only when first resolved", async () => {
    let built = 0;
    const p = definePlugin({
      id: "lazy",
      core: "^1.0.0",
      register(reg) {
        reg.blocker("lazy-one", () => {
          built++;
          return blocker("lazy-one");
        });
      },
    });
    const host = await start([p]);
    expect(built).toBe(0);
    expect(host.resolveAll("blocker")[0]).toBe(host.resolveAll("blocker")[0]);
    expect(built).toBe(1);
  });

  it("passes host services to factories, and refuses unknown services with KURED_ERR_COMPONENT_MISSING", async () => {
    const marker = { kube: true };
    let got: unknown;
    let missing = "";
    const p = definePlugin({
      id: "needs",
      core: "^1.0.0",
      register(reg) {
        reg.blocker("needs-kube", (ctx) => {
          got = ctx.resolve(Tokens.KubeConfig);
          missing = codeOf(() => ctx.resolve(Symbol.for("kured.nothing")));
          expect(ctx.node).toBe("node-a");
          return blocker("needs-kube");
        });
      },
    });
    const host = await start([p], undefined, new Map([[Tokens.KubeConfig, marker]]));
    host.resolveAll("blocker");
    expect(got).toBe(marker);
    expect(missing).toBe("KURED_ERR_COMPONENT_MISSING");
  });

  it("names the missing component and what is available", async () => {
    const host = await start([
      definePlugin({ id: "r", core: "*", register: (reg) => reg.rebooter("command", () => rebooter("command")) }),
    ]);
    let message = "";
    try {
      host.resolve("rebooter", "signal");
    } catch (e) {
      message = (e as Error).message;
      expect((e as { code: string }).code).toBe("KURED_ERR_COMPONENT_MISSING");
    }
    expect(message).toContain('"signal"');
    expect(message).toContain("command");
  });

  it.each<[string, KuredPlugin[], string]>([
    [
      "a plugin id that is not kebab-case",
      [definePlugin({ id: "Bad_Id", core: "*", register() {} })],
      "KURED_ERR_PLUGIN_ID_INVALID",
    ],
    [
      "a core range that excludes this core",
      [definePlugin({ id: "old", core: "^0.3.0", register() {} })],
      "KURED_ERR_PLUGIN_INCOMPATIBLE",
    ],
    [
      "a core range that is not semver",
      [definePlugin({ id: "junk", core: "latest please", register() {} })],
      "KURED_ERR_PLUGIN_INCOMPATIBLE",
    ],
    [
      "two plugins with one id",
      [definePlugin({ id: "twin", core: "*", register() {} }), definePlugin({ id: "twin", core: "*", register() {} })],
      "KURED_ERR_PLUGIN_DUPLICATE",
    ],
  ])("checkPlugins refuses %s", async (_name, plugins, code) => {
    const error = await checkPlugins(plugins.map((plugin) => ({ plugin, source: "test" }))).catch((e: unknown) => e);
    expect((error as { code?: string } | undefined)?.code).toBe(code);
  });

  it("does not check the core range of the built-in plugins, which ship with this core", async () => {
    const builtIn = definePlugin({ id: "old", core: "^0.3.0", register() {} });
    await expect(checkPlugins([{ plugin: builtIn, source: "built-in" }])).resolves.toBeUndefined();
  });

  it("refuses two plugins declaring the same flag with KURED_ERR_PLUGIN_OPTION_CLASH", () => {
    const one = definePlugin({
      id: "one",
      core: "*",
      options: { blockFile: option.string({ describe: "x" }) },
      register() {},
    });
    const two = definePlugin({
      id: "two",
      core: "*",
      options: { other: option.string({ describe: "y", flag: "block-file" }) },
      register() {},
    });
    expect(codeOf(() => buildOptionTable([one, two]))).toBe("KURED_ERR_PLUGIN_OPTION_CLASH");
  });

  it("refuses a flag named like a reserved one", () => {
    const p = definePlugin({ id: "p", core: "*", options: { help: option.bool({ describe: "x" }) }, register() {} });
    expect(codeOf(() => buildOptionTable([p]))).toBe("KURED_ERR_PLUGIN_REGISTER_FAILED");
  });

  it.each<[string, KuredPlugin[], string]>([
    [
      "a register() that throws",
      [
        definePlugin({
          id: "boom",
          core: "*",
          register() {
            throw new Error("no");
          },
        }),
      ],
      "KURED_ERR_PLUGIN_REGISTER_FAILED",
    ],
    [
      "a component id that is not kebab-case",
      [definePlugin({ id: "c", core: "*", register: (reg) => reg.blocker("NotKebab", () => blocker("x")) })],
      "KURED_ERR_PLUGIN_ID_INVALID",
    ],
    [
      "two plugins registering the same component id",
      [
        definePlugin({ id: "c1", core: "*", register: (reg) => reg.blocker("same", () => blocker("same")) }),
        definePlugin({ id: "c2", core: "*", register: (reg) => reg.blocker("same", () => blocker("same")) }),
      ],
      "KURED_ERR_PLUGIN_DUPLICATE",
    ],
  ])("start() refuses %s", async (_name, plugins, code) => {
    await expect(asyncCodeOf(start(plugins))).resolves.toBe(code);
  });
});
