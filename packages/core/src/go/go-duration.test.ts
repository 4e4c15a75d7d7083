import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatGoDuration,
  formatGoDurationNanos,
  millisToNanos,
  nanosToMillis,
  parseGoDuration,
  parseGoDurationNanos,
} from "./go-duration.js";
import { GoParseError } from "./go-parse-error.js";

const NS = 1n;
const US = 1_000n;
const MS = 1_000_000n;
const S = 1_000_000_000n;
const M = 60n * S;
const H = 60n * M;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

describe("parseGoDurationNanos: Go's own table (time_test.go) and more", () => {
  const cases: [string, bigint][] = [
    ["0", 0n],
    ["5s", 5n * S],
    ["30s", 30n * S],
    ["1478s", 1478n * S],
    ["-5s", -5n * S],
    ["+5s", 5n * S],
    ["-0", 0n],
    ["+0", 0n],
    ["5.0s", 5n * S],
    ["5.6s", 5n * S + 600n * MS],
    ["5.s", 5n * S],
    [".5s", 500n * MS],
    ["1.0s", S],
    ["1.00s", S],
    ["1.004s", S + 4n * MS],
    ["1.0040s", S + 4n * MS],
    ["100.00100s", 100n * S + MS],
    ["10ns", 10n * NS],
    ["11us", 11n * US],
    ["12\u00b5s", 12n * US],
    ["12\u03bcs", 12n * US],
    ["13ms", 13n * MS],
    ["14s", 14n * S],
    ["15m", 15n * M],
    ["16h", 16n * H],
    ["3h30m", 3n * H + 30n * M],
    ["10.5s4m", 4n * M + 10n * S + 500n * MS],
    ["-2m3.4s", -(2n * M + 3n * S + 400n * MS)],
    ["1h2m3s4ms5us6ns", H + 2n * M + 3n * S + 4n * MS + 5n * US + 6n * NS],
    ["39h9m14.425s", 39n * H + 9n * M + 14n * S + 425n * MS],
    ["52763797000ns", 52763797000n],
    ["0.3333333333333333333h", 20n * M],
    ["9007199254740993ns", (1n << 53n) + 1n],
    ["9223372036854775807ns", INT64_MAX],
    ["9223372036854775.807us", INT64_MAX],
    ["9223372036s854ms775us807ns", INT64_MAX],
    ["-9223372036854775808ns", INT64_MIN],
    ["-9223372036854775.808us", INT64_MIN],
    ["-9223372036s854ms775us808ns", INT64_MIN],
    ["-2562047h47m16.854775808s", INT64_MIN],
    ["0.100000000000000000000h", 6n * M],
    ["0.830103483285477580700h", 49n * M + 48n * S + 372539827n],
    // kured's flags
    ["1h", H],
    ["90s", 90n * S],
    ["1h30m", H + 30n * M],
    ["1.5h", H + 30n * M],
    ["2h45m30.5s", 2n * H + 45n * M + 30n * S + 500n * MS],
    ["1.s", S],
    ["-1m", -M],
    ["0s", 0n],
    ["0h0m", 0n],
    ["1µs", US],
  ];
  it.each(cases)("%j = %d ns", (input, ns) => {
    expect(parseGoDurationNanos(input)).toBe(ns);
  });
});

describe("parseGoDuration: errors, with Go's messages", () => {
  const cases: [string, string][] = [
    ["", 'time: invalid duration ""'],
    ["3", 'time: missing unit in duration "3"'],
    ["90", 'time: missing unit in duration "90"'],
    ["-", 'time: invalid duration "-"'],
    ["s", 'time: invalid duration "s"'],
    [".", 'time: invalid duration "."'],
    ["-.", 'time: invalid duration "-."'],
    [".s", 'time: invalid duration ".s"'],
    ["+.s", 'time: invalid duration "+.s"'],
    ["1d", 'time: unknown unit "d" in duration "1d"'],
    ["1h-30m", 'time: unknown unit "h-" in duration "1h-30m"'],
    ["1 h", 'time: unknown unit " h" in duration "1 h"'],
    [" 1h", 'time: invalid duration " 1h"'],
    ["1hh", 'time: unknown unit "hh" in duration "1hh"'],
    ["1H", 'time: unknown unit "H" in duration "1H"'],
    ["1\u00b5", 'time: unknown unit "\\xc2\\xb5" in duration "1\\xc2\\xb5"'],
    ["\ufffd", 'time: invalid duration "\\xef\\xbf\\xbd"'],
    ["\ufffd hello \ufffd world", 'time: invalid duration "\\xef\\xbf\\xbd hello \\xef\\xbf\\xbd world"'],
    ['1"', 'time: unknown unit "\\"" in duration "1\\""'],
    ["--1s", 'time: invalid duration "--1s"'],
    ["9223372036854775810ns", 'time: invalid duration "9223372036854775810ns"'],
    ["9223372036854775808ns", 'time: invalid duration "9223372036854775808ns"'],
    ["-9223372036854775809ns", 'time: invalid duration "-9223372036854775809ns"'],
    ["9223372036854776us", 'time: invalid duration "9223372036854776us"'],
    ["3000000h", 'time: invalid duration "3000000h"'],
    ["9223372036854775.808us", 'time: invalid duration "9223372036854775.808us"'],
    ["9223372036854ms775us808ns", 'time: invalid duration "9223372036854ms775us808ns"'],
    ["99999999999999999999ns", 'time: invalid duration "99999999999999999999ns"'],
  ];
  it.each(cases)("%j → %s", (input, message) => {
    let thrown: unknown;
    try {
      parseGoDuration(input);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(GoParseError);
    expect((thrown as GoParseError).message).toBe(message);
    expect((thrown as GoParseError).input).toBe(input);
  });
});

describe("parseGoDuration: milliseconds", () => {
  const cases: [string, number][] = [
    ["0", 0],
    ["-0s", 0],
    ["1h", 3_600_000],
    ["1h30m", 5_400_000],
    ["90s", 90_000],
    ["-1m", -60_000],
    ["500ms", 500],
    ["1.5ms", 1.5],
    ["1µs", 0.001],
    ["1ns", 0.000001],
    ["2562047h47m16.854s", 9223372036854],
  ];
  it.each(cases)("%j = %d ms", (input, ms) => {
    expect(parseGoDuration(input)).toBe(ms);
    expect(Object.is(parseGoDuration(input), -0)).toBe(false);
  });
});

describe("formatGoDuration: Go's Duration.String()", () => {
  const nanos: [bigint, string][] = [
    [0n, "0s"],
    [1n, "1ns"],
    [1100n, "1.1\u00b5s"],
    [2200n * US, "2.2ms"],
    [3300n * MS, "3.3s"],
    [4n * M + 5n * S, "4m5s"],
    [4n * M + 5001n * MS, "4m5.001s"],
    [5n * H + 6n * M + 7001n * MS, "5h6m7.001s"],
    [8n * M + 1n, "8m0.000000001s"],
    [INT64_MAX, "2562047h47m16.854775807s"],
    [INT64_MIN, "-2562047h47m16.854775808s"],
    [H, "1h0m0s"],
    [H + 30n * M, "1h30m0s"],
    [30n * M, "30m0s"],
    [90n * S, "1m30s"],
    [-M, "-1m0s"],
    [999n, "999ns"],
    [US, "1\u00b5s"],
    [999_999n, "999.999\u00b5s"],
    [MS, "1ms"],
    [999_999_999n, "999.999999ms"],
    [S, "1s"],
    [-1n, "-1ns"],
  ];
  it.each(nanos)("%d ns → %s", (ns, text) => {
    expect(formatGoDurationNanos(ns)).toBe(text);
  });

  const millis: [number, string][] = [
    [0, "0s"],
    [-0, "0s"],
    [3_600_000, "1h0m0s"],
    [5_400_000, "1h30m0s"],
    [1_800_000, "30m0s"],
    [90_000, "1m30s"],
    [1500, "1.5s"],
    [500, "500ms"],
    [0.001, "1\u00b5s"],
    [0.000001, "1ns"],
    [-60_000, "-1m0s"],
    [-1.5, "-1.5ms"],
  ];
  it.each(millis)("%d ms → %s", (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });

  it("refuses NaN and infinities", () => {
    expect(() => formatGoDuration(Number.NaN)).toThrow(RangeError);
    expect(() => formatGoDuration(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe("duration properties", () => {
  const int64 = fc.bigInt({ min: INT64_MIN, max: INT64_MAX });

  it("format then parse gives back every int64 nanosecond count", () => {
    fc.assert(
      fc.property(int64, (ns) => {
        expect(parseGoDurationNanos(formatGoDurationNanos(ns))).toBe(ns);
      }),
    );
  });

  it("parse then format is the identity on Go's canonical texts", () => {
    fc.assert(
      fc.property(int64, (ns) => {
        const text = formatGoDurationNanos(ns);
        expect(formatGoDurationNanos(parseGoDurationNanos(text))).toBe(text);
      }),
    );
  });

  it("milliseconds round-trip exactly for whole milliseconds over Go's whole range", () => {
    const maxMs = Number(INT64_MAX / MS);
    fc.assert(
      fc.property(fc.integer({ min: -maxMs, max: maxMs }), (ms) => {
        expect(parseGoDuration(formatGoDuration(ms))).toBe(ms === 0 ? 0 : ms);
      }),
    );
  });

  it("milliseconds keep every nanosecond within ±2^32 ms (about 49 days)", () => {
    const limit = 2n ** 32n * MS;
    fc.assert(
      fc.property(fc.bigInt({ min: -limit, max: limit }), (ns) => {
        const ms = nanosToMillis(ns);
        expect(millisToNanos(ms)).toBe(ns);
        expect(parseGoDuration(formatGoDuration(ms))).toBe(ms);
      }),
    );
  });

  it("a sum of parts parses to the sum of the parts", () => {
    const part = fc.tuple(fc.nat(10_000), fc.constantFrom("ns", "us", "ms", "s", "m", "h"));
    const unitNs: Readonly<Record<string, bigint>> = { ns: NS, us: US, ms: MS, s: S, m: M, h: H };
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 6 }), fc.boolean(), (parts, negative) => {
        const text = (negative ? "-" : "") + parts.map(([n, u]) => `${n}${u}`).join("");
        const sum = parts.reduce((acc, [n, u]) => acc + BigInt(n) * (unitNs[u] ?? 0n), 0n);
        expect(parseGoDurationNanos(text)).toBe(negative ? -sum : sum);
      }),
    );
  });
});
