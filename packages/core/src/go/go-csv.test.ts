import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseGoCsvRecord } from "./go-csv.js";
import { GoParseError } from "./go-parse-error.js";

describe("parseGoCsvRecord: pflag stringSlice values (Go encoding/csv, first record)", () => {
  const cases: [string, string[]][] = [
    ["", []],
    ["a", ["a"]],
    ["a,b,c", ["a", "b", "c"]],
    ["a,b,c\n", ["a", "b", "c"]],
    ["su,mo,tu,we,th,fr,sa", ["su", "mo", "tu", "we", "th", "fr", "sa"]],
    ["kured=rebooting,example.com/x=y", ["kured=rebooting", "example.com/x=y"]],
    [" a,  b,   c", [" a", "  b", "   c"]],
    ["mon, tue", ["mon", " tue"]],
    ["a,b,", ["a", "b", ""]],
    ["a,b,\n", ["a", "b", ""]],
    ["a,b, ", ["a", "b", " "]],
    [",", ["", ""]],
    [" ", [" "]],
    ['"a,b",c', ["a,b", "c"]],
    ['"a ""word""",b', ['a "word"', "b"]],
    ['""', [""]],
    ['"",""', ["", ""]],
    ['""""""""', ['"""']],
    ['"two\nline","one line","three\nline\nfield"', ["two\nline", "one line", "three\nline\nfield"]],
    ['A,"Hello\r\nHi",B\r\n', ["A", "Hello\nHi", "B"]],
    ["a,b\nc,d", ["a", "b"]],
    ["a,b\r\nc,d\r\n", ["a", "b"]],
    ["a,b\rc,d\r\n", ["a", "b\rc", "d"]],
    ["a,b\r", ["a", "b"]],
    ["\n\na,b\n\nc", ["a", "b"]],
    ["\r\na", ["a"]],
    ["é,日本", ["é", "日本"]],
    ["a\tb", ["a\tb"]],
    ["x='y'", ["x='y'"]],
  ];
  it.each(cases)("%j → %j", (input, fields) => {
    expect(parseGoCsvRecord(input)).toEqual(fields);
  });

  const errors: [string, string][] = [
    ['a"b', 'parse error on line 1, column 2: bare " in non-quoted-field'],
    ['a""b,c', 'parse error on line 1, column 2: bare " in non-quoted-field'],
    ['a "word","b"', 'parse error on line 1, column 3: bare " in non-quoted-field'],
    ['"a word",b"', 'parse error on line 1, column 11: bare " in non-quoted-field'],
    ['é"', 'parse error on line 1, column 3: bare " in non-quoted-field'],
    ['"a "word","b"', 'parse error on line 1, column 4: extraneous or missing " in quoted-field'],
    ['"a"b', 'parse error on line 1, column 3: extraneous or missing " in quoted-field'],
    ['"foo"bar"\r\n', 'parse error on line 1, column 5: extraneous or missing " in quoted-field'],
    ['"abc', 'parse error on line 1, column 5: extraneous or missing " in quoted-field'],
    ['"""""""', 'parse error on line 1, column 8: extraneous or missing " in quoted-field'],
    ['a,"b\nc"d,e', 'record on line 1; parse error on line 2, column 2: extraneous or missing " in quoted-field'],
    ['\n"a\nb', 'record on line 2; parse error on line 3, column 2: extraneous or missing " in quoted-field'],
    ["\n", "EOF"],
    ["\r\n\n", "EOF"],
  ];
  it.each(errors)("%j fails: %s", (input, message) => {
    let thrown: unknown;
    try {
      parseGoCsvRecord(input);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(GoParseError);
    expect((thrown as GoParseError).message).toBe(message);
  });

  const plainField = fc.stringMatching(/^[^,"\r\n]*$/);

  it("fields without commas, quotes or line breaks, joined by commas, parse back to themselves", () => {
    fc.assert(
      fc.property(fc.array(plainField, { minLength: 1, maxLength: 8 }), (fields) => {
        fc.pre(fields.join(",") !== "");
        expect(parseGoCsvRecord(fields.join(","))).toEqual(fields);
      }),
    );
  });

  it("any fields, quoted with doubled quotes, parse back to themselves", () => {
    const anyField = fc.string({ unit: fc.constantFrom("a", " ", ",", '"', "\n", "é", "x") });
    fc.assert(
      fc.property(fc.array(anyField, { minLength: 1, maxLength: 6 }), (fields) => {
        const line = fields.map((f) => `"${f.replaceAll('"', '""')}"`).join(",");
        expect(parseGoCsvRecord(line)).toEqual(fields);
      }),
    );
  });
});
