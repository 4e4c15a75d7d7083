import { describe, expect, it } from "vitest";
import { KURED_FLAGS } from "./kured-flags.fixture.js";
import { runKured } from "./run-kured.fixture.js";

/** Splits the help text into plugin groups: heading id → flag lines. */
function groups(help: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of help.split("\n")) {
    const heading = /^([a-z][a-z0-9-]*)( — .*)?:$/.exec(line);
    if (heading) {
      current = [];
      out.set(heading[1] as string, current);
    } else if (current && /^\s+--/.test(line)) current.push(line);
  }
  return out;
}

describe("kured --help", () => {
  it("lists all 43 flags of kured 1.23, grouped by plugin, with type, default and variable", async () => {
    const { code, stdout } = await runKured(["--help"]);
    expect(code).toBe(0);
    expect(KURED_FLAGS).toHaveLength(43);
    const byPlugin = groups(stdout);
    for (const f of KURED_FLAGS) {
      const lines = byPlugin.get(f.plugin) ?? [];
      const line = lines.find((l) => l.trimStart().startsWith(`--${f.flag} `) || l.trim() === `--${f.flag}`);
      expect(line, `--${f.flag} under ${f.plugin}`).toBeDefined();
      const head = `--${f.flag}${f.type ? ` ${f.type}` : ""}`;
      expect(line!.trimStart().startsWith(`${head} `), `${head} in: ${line}`).toBe(true);
      const env = `KURED_${f.flag.toUpperCase().replace(/-/g, "_")}`;
      expect(line).toContain(`[$${env}]`);
      if (f.default === undefined) expect(line, `no default for --${f.flag}`).not.toContain("(default ");
      else expect(line).toContain(`(default ${f.default})`);
    }
  });

  it("says the command line wins over the environment", async () => {
    const { stdout } = await runKured(["-h"]);
    expect(stdout).toContain("The command line wins over KURED_* environment variables");
  });

  it("shows the flags of a plugin loaded with --plugin under its own heading", async () => {
    const { code, stdout } = await runKured([
      "--plugin",
      "../../../../packages/core/src/plugin/__fixtures__/plugin-ok",
      "--help",
    ]);
    expect(code).toBe(0);
    const lines = groups(stdout).get("fixture-ok") ?? [];
    expect(lines.some((l) => l.includes("--fixture-markers strings"))).toBe(true);
    expect(lines.some((l) => l.includes("[$KURED_FIXTURE_MARKERS]"))).toBe(true);
  });
});
