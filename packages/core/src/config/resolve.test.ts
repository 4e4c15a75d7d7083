import { describe, expect, it } from "vitest";
import { isKuredError, type KuredError } from "../errors/kured-error.js";
import { definePlugin } from "../plugin/define-plugin.js";
import { option } from "../plugin/option.js";
import { parseArgv } from "./argv.js";
import { buildOptionTable } from "./option-table.js";
import { resolveConfig, resolveConfigAsync } from "./resolve.js";

const plugin = definePlugin({
  id: "t",
  core: "*",
  options: {
    name: option.string({ describe: "a string", default: "kured" }),
    count: option.int({ describe: "an int", default: 1 }),
    force: option.bool({ describe: "a bool" }),
    wait: option.duration({ describe: "a duration", default: "1h" }),
    days: option.stringSlice({ describe: "a slice", default: ["su", "mo"] }),
    selectors: option.stringArray({ describe: "an array" }),
    labels: option.keyValue({ describe: "labels" }),
    method: option.enum({ describe: "an enum", values: ["command", "signal"], default: "command" }),
    needed: option.string({ describe: "required", required: true }),
    later: option.string({ describe: "not built yet", implemented: false }),
  },
  register() {},
});
const table = buildOptionTable([plugin]);
const shapes = new Map(table.entries.map((e) => [e.flag, { isBoolean: e.spec.isBoolean }]));

function resolve(argv: string[], env: Record<string, string> = {}) {
  const parsed = parseArgv(argv, shapes);
  const config = resolveConfig(table, { occurrences: parsed.occurrences, env, earlierProblems: parsed.problems });
  return { values: config.values.get("t") as Record<string, unknown>, origins: config.origins };
}

function failure(argv: string[], env: Record<string, string> = {}, enforceRequired = false): KuredError {
  try {
    const parsed = parseArgv(argv, shapes);
    resolveConfig(table, { occurrences: parsed.occurrences, env, enforceRequired, earlierProblems: parsed.problems });
  } catch (e) {
    if (isKuredError(e)) return e;
    throw e;
  }
  throw new Error("expected a failure");
}

describe("resolving flags and KURED_* variables", () => {
  it("uses defaults when nothing is given", () => {
    const { values, origins } = resolve([]);
    expect(values).toMatchObject({ name: "kured", count: 1, force: false, wait: 3_600_000, days: ["su", "mo"] });
    expect(values.selectors).toEqual([]);
    expect(origins.get("name")).toBe("default");
  });

  it.each<[string, string[], Record<string, string>, string, unknown, string]>([
    ["the command line wins over the environment", ["--name=cli"], { KURED_NAME: "env" }, "name", "cli", "cli"],
    ["the environment wins over the default", [], { KURED_NAME: "env" }, "name", "env", "env"],
    ["an empty variable is a value", [], { KURED_NAME: "" }, "name", "", "env"],
    ["--flag value form", ["--name", "spaced"], {}, "name", "spaced", "cli"],
    ["the last scalar occurrence wins", ["--count=2", "--count=5"], {}, "count", 5, "cli"],
    ["ints take Go base prefixes on the command line", ["--count=0x10"], {}, "count", 16, "cli"],
    ["a leading zero is octal on the command line, as pflag", ["--count=010"], {}, "count", 8, "cli"],
    ["ints are decimal in the environment, as kured", [], { KURED_COUNT: "010" }, "count", 10, "env"],
    ["negative values follow a flag as its value", ["--count", "-1"], {}, "count", -1, "cli"],
    ["a bare boolean is true", ["--force"], {}, "force", true, "cli"],
    ["booleans take Go's forms", ["--force=T"], {}, "force", true, "cli"],
    ["booleans can be switched off", ["--force=false"], { KURED_FORCE: "true" }, "force", false, "cli"],
    ["booleans from the environment", [], { KURED_FORCE: "1" }, "force", true, "env"],
    ["durations in Go syntax", ["--wait=1h30m"], {}, "wait", 5_400_000, "cli"],
    ["a slice replaces its default on first use", ["--days=fr"], {}, "days", ["fr"], "cli"],
    ["a slice appends on repeated use", ["--days=fr,sa", "--days=su"], {}, "days", ["fr", "sa", "su"], "cli"],
    ["a slice honours CSV quoting", ['--days="a,b",c'], {}, "days", ["a,b", "c"], "cli"],
    ["a slice from the environment replaces the default", [], { KURED_DAYS: "tu,we" }, "days", ["tu", "we"], "env"],
    ["a slice on the command line ignores the environment", ["--days=fr"], { KURED_DAYS: "tu" }, "days", ["fr"], "cli"],
    ["an empty slice value gives an empty list", ["--days="], {}, "days", [], "cli"],
    ["an array keeps commas", ["--selectors=a=1,b=2"], {}, "selectors", ["a=1,b=2"], "cli"],
    ["an array appends", ["--selectors=a=1", "--selectors=b=2"], {}, "selectors", ["a=1", "b=2"], "cli"],
    [
      "an array from the environment: one element per line",
      [],
      { KURED_SELECTORS: "a=1,b=2\nc=3\n" },
      "selectors",
      ["a=1,b=2", "c=3"],
      "env",
    ],
    [
      "labels split on the first =",
      ["--labels=a=b,c.io/d=e"],
      {},
      "labels",
      [
        { key: "a", value: "b" },
        { key: "c.io/d", value: "e" },
      ],
      "cli",
    ],
    ["enums accept their values", ["--method=signal"], {}, "method", "signal", "cli"],
  ])("%s", (_name, argv, env, key, expected, origin) => {
    const { values, origins } = resolve(argv, env);
    expect(values[key]).toEqual(expected);
    expect(origins.get(table.entries.find((e) => e.key === key)!.flag)).toBe(origin);
  });

  it("requires required options only when asked", () => {
    expect(() => resolve([])).not.toThrow();
    const e = failure([], {}, true);
    expect(e.code).toBe("KURED_ERR_CONFIG_INVALID");
    expect(e.problems.map((p) => p.subject)).toEqual(["--needed"]);
  });

  it("refuses a given option whose behaviour is not built, naming it", () => {
    const e = failure(["--later=x"]);
    expect(e.code).toBe("KURED_ERR_NOT_IMPLEMENTED");
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain("--later");
    expect(failure([], { KURED_LATER: "x" }).code).toBe("KURED_ERR_NOT_IMPLEMENTED");
  });

  it("reports invalid values before unimplemented ones", () => {
    expect(failure(["--later=x", "--count=x"]).code).toBe("KURED_ERR_CONFIG_INVALID");
  });

  it("names a variable and its flag when the environment is wrong", () => {
    const e = failure([], { KURED_WAIT: "soon" });
    expect(e.problems[0]).toMatchObject({ subject: "KURED_WAIT (--wait)", value: "soon" });
    expect(e.problems[0]?.fix).toContain("Go duration");
  });

  it("collects every problem, unknown flags included", () => {
    const e = failure(["--count=x", "--wait=1", "--nope", "--method=reboot"]);
    expect(e.problems.map((p) => p.subject).sort()).toEqual(["--count", "--method", "--nope", "--wait"]);
    expect(e.message.split("\n")).toHaveLength(5);
  });

  it("suggests the closest flag for a typo", () => {
    const e = failure(["--metod=signal"]);
    expect(e.problems[0]?.fix).toContain("--method");
  });
});

describe("validateAsync", () => {
  const checked = definePlugin({
    id: "lazy",
    core: "*",
    options: {
      url: option.string({ describe: "a URL checked by code loaded on demand" }),
      count: option.int({ describe: "an int", default: 1 }),
    },
    validate: (o) => (o.count > 3 ? [{ option: "count", message: "is more than 3", fix: "use 3 or less" }] : []),
    async validateAsync(o) {
      await new Promise((r) => setTimeout(r, 1));
      return o.url.startsWith("bad") ? [{ option: "url", message: "is bad", fix: "use a good one" }] : [];
    },
    register() {},
  });
  const lazyTable = buildOptionTable([checked]);
  const lazyShapes = new Map(lazyTable.entries.map((e) => [e.flag, { isBoolean: e.spec.isBoolean }]));
  const run = (argv: string[], env: Record<string, string> = {}) => {
    const parsed = parseArgv(argv, lazyShapes);
    return resolveConfigAsync(lazyTable, { occurrences: parsed.occurrences, env, earlierProblems: parsed.problems });
  };

  it("reports its problems together with the synchronous ones, naming flag, value and fix", async () => {
    const error = await run(["--url=bad-x", "--count=5"]).then(
      () => undefined,
      (e: unknown) => e as KuredError,
    );
    expect(error?.code).toBe("KURED_ERR_CONFIG_INVALID");
    expect(error?.problems).toEqual([
      { subject: "--count", value: "5", message: "is more than 3", fix: "use 3 or less" },
      { subject: "--url", value: "bad-x", message: "is bad", fix: "use a good one" },
    ]);
  });

  it("names the variable when the value came from the environment, and passes good values", async () => {
    const error = await run([], { KURED_URL: "bad" }).catch((e: unknown) => e as KuredError);
    expect((error as KuredError).problems[0]?.subject).toBe("KURED_URL (--url)");
    const config = await run(["--url=https://ok"]);
    expect(config.values.get("lazy")).toMatchObject({ url: "https://ok", count: 1 });
  });

  it("is not run by the synchronous resolveConfig", () => {
    const parsed = parseArgv(["--url=bad"], lazyShapes);
    expect(() => resolveConfig(lazyTable, { occurrences: parsed.occurrences, env: {} })).not.toThrow();
  });
});
