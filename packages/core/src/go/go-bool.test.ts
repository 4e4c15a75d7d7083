import { describe, expect, it } from "vitest";
import { parseGoBool } from "./go-bool.js";
import { GoParseError } from "./go-parse-error.js";

describe("parseGoBool: strconv.ParseBool", () => {
  const cases: [string, boolean][] = [
    ["1", true],
    ["t", true],
    ["T", true],
    ["TRUE", true],
    ["true", true],
    ["True", true],
    ["0", false],
    ["f", false],
    ["F", false],
    ["FALSE", false],
    ["false", false],
    ["False", false],
  ];
  it.each(cases)("%j = %s", (input, value) => expect(parseGoBool(input)).toBe(value));

  const invalid = ["", "yes", "no", "on", "off", "tRUE", "fALSE", "TrUe", " true", "true ", "2", "-1", "y", "n"];
  it.each(invalid)("%j is invalid", (input) => {
    expect(() => parseGoBool(input)).toThrow(GoParseError);
    expect(() => parseGoBool(input)).toThrow(`strconv.ParseBool: parsing ${JSON.stringify(input)}: invalid syntax`);
  });
});
