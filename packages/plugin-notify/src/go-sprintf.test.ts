import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { goSprintf } from "./go-sprintf.js";

interface GoRow {
  readonly F: string;
  readonly A: string;
  readonly Out: string;
}

// Produced by Go's own fmt.Sprintf(F, A) (go1.19, the fmt rules kured's Go follows for strings);
// regenerate with the small program described in __fixtures__/README.md.
const rows = JSON.parse(readFileSync(new URL("./__fixtures__/go-sprintf.json", import.meta.url), "utf8")) as GoRow[];

describe("goSprintf renders like Go's fmt.Sprintf(template, node)", () => {
  it("has the recorded Go outputs", () => {
    expect(rows.length).toBeGreaterThan(150);
  });

  it.each(rows.map((r) => [r.F, r.A, r.Out] as const))("Sprintf(%j, %j) = %j", (format, arg, expected) => {
    expect(goSprintf(format, [arg])).toBe(expected);
  });

  it.each([
    ["kured's default drain template", "Draining node %s", "Draining node node-a"],
    ["no verb: Go appends the argument", "Reboot now", "Reboot now%!(EXTRA string=node-a)"],
    ["a second %s is missing", "%s then %s", "node-a then %!s(MISSING)"],
    ["%% is a literal percent", "100%% of %s", "100% of node-a"],
  ])("%s", (_name, format, expected) => {
    expect(goSprintf(format, ["node-a"])).toBe(expected);
  });
});
