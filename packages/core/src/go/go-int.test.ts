import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseGoDecimalInt, parseGoInt } from "./go-int.js";
import { GoParseError } from "./go-parse-error.js";

function errorOf(f: () => unknown): GoParseError {
  try {
    f();
  } catch (e) {
    if (e instanceof GoParseError) return e;
    throw e;
  }
  throw new Error("no error thrown");
}

describe("parseGoInt: strconv.ParseInt(s, 0, 64), as pflag's int flags", () => {
  const cases: [string, number][] = [
    ["0", 0],
    ["-0", 0],
    ["+0", 0],
    ["1", 1],
    ["-1", -1],
    ["+1", 1],
    ["12345", 12345],
    ["-12345", -12345],
    ["012345", 0o12345],
    ["-012345", -0o12345],
    ["010", 8],
    ["00", 0],
    ["0x12345", 0x12345],
    ["-0X12345", -0x12345],
    ["0x10", 16],
    ["0xff", 255],
    ["0XFF", 255],
    ["0b101", 5],
    ["0B101", 5],
    ["0o377", 255],
    ["0O377", 255],
    ["98765432100", 98765432100],
    ["1_2_3_4_5", 12345],
    ["-1_2_3_4_5", -12345],
    ["0x_1_2_3_4_5", 0x12345],
    ["-0x_1_2_3_4_5", -0x12345],
    ["0_1_2_3_4_5", 0o12345],
    ["-0_1_2_3_4_5", -0o12345],
    ["0b1_1_0", 6],
    ["0o_7_7", 63],
    ["1_000", 1000],
    ["8080", 8080],
    ["39", 39],
    ["9007199254740991", Number.MAX_SAFE_INTEGER],
    ["-9007199254740991", Number.MIN_SAFE_INTEGER],
  ];
  it.each(cases)("%j = %d", (input, value) => {
    expect(parseGoInt(input)).toBe(value);
  });

  const syntax = [
    "",
    "-",
    "+",
    "x",
    "12345x",
    "-12345x",
    "1__2",
    "_12",
    "12_",
    "1_",
    "0x",
    "0x_",
    "08",
    "09",
    "0b2",
    "0o8",
    "0xg",
    " 1",
    "1 ",
    "1.0",
    "1e3",
    "--1",
    "+-1",
    "0x__1",
    "0_x1",
    "\u0661",
  ];
  it.each(syntax)("%j is invalid syntax", (input) => {
    expect(errorOf(() => parseGoInt(input)).message).toBe(
      `strconv.ParseInt: parsing ${JSON.stringify(input)}: invalid syntax`,
    );
  });

  const range = [
    "9223372036854775808",
    "-9223372036854775809",
    "0x8000000000000000",
    "18446744073709551616x",
    "99999999999999999999",
  ];
  it.each(range)("%j is out of Go's range", (input) => {
    expect(errorOf(() => parseGoInt(input)).message).toBe(
      `strconv.ParseInt: parsing ${JSON.stringify(input)}: value out of range`,
    );
  });

  it("reports a syntax error when a bad character comes before the uint64 range is exceeded, as Go", () => {
    expect(errorOf(() => parseGoInt("9223372036854775809x")).message).toContain("invalid syntax");
  });

  const unsafe = ["9223372036854775807", "-9223372036854775808", "9007199254740992", "0x20000000000000"];
  it.each(unsafe)("%j is within Go's range but refused rather than rounded", (input) => {
    const message = errorOf(() => parseGoInt(input)).message;
    expect(message).toContain("value out of range");
    expect(message).toContain("9007199254740991");
  });

  it("checks 32-bit range when asked", () => {
    expect(parseGoInt("2147483647", { bitSize: 32 })).toBe(2147483647);
    expect(parseGoInt("-2147483648", { bitSize: 32 })).toBe(-2147483648);
    expect(errorOf(() => parseGoInt("2147483648", { bitSize: 32 })).message).toContain("value out of range");
    expect(errorOf(() => parseGoInt("-2147483649", { bitSize: 32 })).message).toContain("value out of range");
  });

  it("quotes the input as Go's strconv.Quote does", () => {
    expect(errorOf(() => parseGoInt('a"b\\\n\t\u0007')).message).toBe(
      'strconv.ParseInt: parsing "a\\"b\\\\\\n\\t\\a": invalid syntax',
    );
    expect(errorOf(() => parseGoInt("é\u00a0")).message).toBe('strconv.ParseInt: parsing "é\\u00a0": invalid syntax');
  });

  it("reads every safe integer in decimal, hex, octal and binary", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        const sign = n < 0 ? "-" : "";
        const abs = Math.abs(n);
        expect(parseGoInt(String(n))).toBe(n);
        expect(parseGoInt(`${sign}0x${abs.toString(16)}`)).toBe(n);
        expect(parseGoInt(`${sign}0${abs.toString(8)}`)).toBe(n);
        expect(parseGoInt(`${sign}0o${abs.toString(8)}`)).toBe(n);
        expect(parseGoInt(`${sign}0b${abs.toString(2)}`)).toBe(n);
      }),
    );
  });
});

describe("parseGoDecimalInt: strconv.Atoi, as kured reads KURED_* ints", () => {
  const cases: [string, number][] = [
    ["0", 0],
    ["-0", 0],
    ["+1", 1],
    ["-1", -1],
    ["12345", 12345],
    ["012345", 12345],
    ["0010", 10],
    ["98765432100", 98765432100],
  ];
  it.each(cases)("%j = %d", (input, value) => {
    expect(parseGoDecimalInt(input)).toBe(value);
  });

  const syntax = ["", "-", "x", "12345x", "0x10", "0b1", "1_000", " 1", "1.5"];
  it.each(syntax)("%j is invalid syntax", (input) => {
    expect(errorOf(() => parseGoDecimalInt(input)).message).toBe(
      `strconv.Atoi: parsing ${JSON.stringify(input)}: invalid syntax`,
    );
  });

  it("reports Go's range error, and refuses integers a JS number cannot hold", () => {
    expect(errorOf(() => parseGoDecimalInt("9223372036854775808")).message).toBe(
      'strconv.Atoi: parsing "9223372036854775808": value out of range',
    );
    expect(errorOf(() => parseGoDecimalInt("9007199254740992")).message).toContain("value out of range");
  });

  it("agrees with Number() on decimal safe integers", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(parseGoDecimalInt(String(n))).toBe(n === 0 ? 0 : n);
      }),
    );
  });
});
