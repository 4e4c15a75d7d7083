import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runKured } from "./run-kured.fixture.js";

const doc = readFileSync(new URL("../../../../docs/configuration.md", import.meta.url), "utf8");

describe("docs/configuration.md", () => {
  it("documents every flag kured --help lists", async () => {
    const { stdout } = await runKured(["--help"]);
    const flags = [...stdout.matchAll(/^\s+--([a-z0-9-]+)/gm)].map((m) => m[1]).filter((f) => f !== "help");
    expect(flags.length).toBeGreaterThan(43);
    for (const flag of flags) expect(doc, `--${flag}`).toMatch(new RegExp(`\\|\\s*\`--${flag}\`\\s*\\|`));
  });
});
