import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "./codes.js";
import { KuredError } from "./kured-error.js";

const doc = readFileSync(new URL("../../../../docs/errors.md", import.meta.url), "utf8");
/** The rows of the code table: code → [exit, meaning], whatever the column padding. */
const rows = new Map(
  doc
    .split("\n")
    .map((line) => line.split("|").map((cell) => cell.trim()))
    .filter((cells) => /^`KURED_ERR_[A-Z_]+`$/.test(cells[1] ?? ""))
    .map((cells) => [(cells[1] as string).slice(1, -1), [cells[2], cells[3]]] as const),
);

describe("the error code table", () => {
  it.each(Object.entries(ERROR_CODES))(
    "%s is documented in docs/errors.md with its exit code and summary",
    (code, info) => {
      expect(rows.get(code)).toEqual([String(info.exitCode), info.summary]);
    },
  );

  it("documents no code that does not exist", () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it("formats problems one per line under a summary, and exits 2 for input errors", () => {
    const e = KuredError.fromProblems("KURED_ERR_CONFIG_INVALID", [
      { subject: "--period", value: "0", message: "must be greater than 0", fix: "use e.g. 1h" },
      { subject: "--concurrency", value: "0", message: "must be at least 1" },
    ]);
    expect(e.message).toBe(
      'invalid configuration (2 problems):\n  --period="0": must be greater than 0; use e.g. 1h\n  --concurrency="0": must be at least 1',
    );
    expect(e.exitCode).toBe(2);
    expect(e.code).toBe("KURED_ERR_CONFIG_INVALID");
  });
});
