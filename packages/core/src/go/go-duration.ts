/**
 * Go's time.Duration text: ParseDuration and Duration.String, bit for bit.
 *
 * Durations are int64 nanoseconds in Go. The exact functions work on bigint nanoseconds; the
 * everyday ones on milliseconds as a JS number, which is exact for every whole number of
 * milliseconds in Go's range (±2^63−1 ns ≈ ±292 years) and keeps sub-millisecond parts as a
 * fraction, exact to the nanosecond up to ±2^32 ms (about 49 days; beyond that the fraction of a
 * millisecond is rounded to the nearest double, so a few nanoseconds may be lost).
 */
import { GoParseError } from "./go-parse-error.js";
import { quoteTime } from "./go-quote.js";

const NS_PER_MS = 1_000_000n;
const INT64_MAX = (1n << 63n) - 1n;
const TWO_63 = 1n << 63n;

const UNITS: ReadonlyMap<string, bigint> = new Map([
  ["ns", 1n],
  ["us", 1_000n],
  ["\u00b5s", 1_000n], // µ MICRO SIGN
  ["\u03bcs", 1_000n], // μ GREEK SMALL LETTER MU
  ["ms", 1_000_000n],
  ["s", 1_000_000_000n],
  ["m", 60_000_000_000n],
  ["h", 3_600_000_000_000n],
]);

const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= "0" && ch <= "9";

/** Parses a Go duration (`1h30m`, `.5s`, `-1.5h`, `0`) to int64 nanoseconds, exactly as time.ParseDuration. */
export function parseGoDurationNanos(s: string): bigint {
  const invalid = (): GoParseError => new GoParseError(s, `time: invalid duration ${quoteTime(s)}`);
  let rest = s;
  let negative = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    negative = rest.startsWith("-");
    rest = rest.slice(1);
  }
  if (rest === "0") return 0n;
  if (rest === "") throw invalid();

  let total = 0n;
  let i = 0;
  while (i < rest.length) {
    if (rest[i] !== "." && !isDigit(rest[i])) throw invalid();

    // Integer part; Go gives up once it exceeds 2^63.
    const intStart = i;
    let whole = 0n;
    while (isDigit(rest[i])) {
      whole = whole * 10n + BigInt(rest.charCodeAt(i) - 48);
      if (whole > TWO_63) throw invalid();
      i++;
    }
    const sawInt = i > intStart;

    // Fraction; Go stops accumulating digits once more would overflow, and scales by a float64.
    let fraction = 0n;
    let scale = 1;
    let sawFraction = false;
    if (rest[i] === ".") {
      i++;
      const fracStart = i;
      let overflow = false;
      while (isDigit(rest[i])) {
        if (!overflow) {
          const next = fraction * 10n + BigInt(rest.charCodeAt(i) - 48);
          if (fraction > INT64_MAX / 10n || next > TWO_63) overflow = true;
          else {
            fraction = next;
            scale *= 10;
          }
        }
        i++;
      }
      sawFraction = i > fracStart;
    }
    if (!sawInt && !sawFraction) throw invalid();

    const unitStart = i;
    while (i < rest.length && rest[i] !== "." && !isDigit(rest[i])) i++;
    if (i === unitStart) throw new GoParseError(s, `time: missing unit in duration ${quoteTime(s)}`);
    const unitText = rest.slice(unitStart, i);
    const unit = UNITS.get(unitText);
    if (unit === undefined) {
      throw new GoParseError(s, `time: unknown unit ${quoteTime(unitText)} in duration ${quoteTime(s)}`);
    }
    if (whole > TWO_63 / unit) throw invalid();
    let value = whole * unit;
    if (fraction > 0n) {
      // Same float64 arithmetic as Go, so results agree to the last nanosecond.
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
      if (value > TWO_63) throw invalid();
    }
    total += value;
    if (total > TWO_63) throw invalid();
  }
  if (negative) return -total;
  if (total > INT64_MAX) throw invalid();
  return total;
}

/** Converts int64 nanoseconds to milliseconds: the integer part exactly, the rest as a fraction. */
export function nanosToMillis(ns: bigint): number {
  const ms = Number(ns / NS_PER_MS) + Number(ns % NS_PER_MS) / 1e6;
  return ms === 0 ? 0 : ms; // never -0
}

/** Converts milliseconds (fractions allowed) to the nearest whole nanosecond. */
export function millisToNanos(ms: number): bigint {
  if (!Number.isFinite(ms)) throw new RangeError(`not a finite duration: ${ms} ms`);
  const whole = Math.trunc(ms);
  return BigInt(whole) * NS_PER_MS + BigInt(Math.round((ms - whole) * 1e6));
}

/**
 * Parses a Go duration to milliseconds (see the file comment for precision), as time.ParseDuration:
 * units ns, us, µs, μs, ms, s, m, h; decimals; a sign; `0` alone; throws GoParseError with Go's message.
 */
export function parseGoDuration(s: string): number {
  return nanosToMillis(parseGoDurationNanos(s));
}

/** Appends the fraction v / 10^prec without trailing zeros (nothing when it is 0); returns the integer part. */
function splitFraction(v: bigint, prec: number): { fraction: string; integer: bigint } {
  const base = 10n ** BigInt(prec);
  const digits = (v % base).toString().padStart(prec, "0").replace(/0+$/, "");
  return { fraction: digits === "" ? "" : `.${digits}`, integer: v / base };
}

/** Formats int64 nanoseconds as Go's Duration.String(): `1h0m0s`, `1.5s`, `500ms`, `1µs`, `0s`, `-1m0s`. */
export function formatGoDurationNanos(ns: bigint): string {
  const negative = ns < 0n;
  const u = negative ? -ns : ns;
  let text: string;
  if (u === 0n) {
    return "0s";
  } else if (u < 1_000_000_000n) {
    // Below a second: the largest unit that keeps an integer part.
    const [prec, unit] = u < 1_000n ? [0, "ns"] : u < 1_000_000n ? [3, "\u00b5s"] : [6, "ms"];
    const { fraction, integer } = splitFraction(u, prec);
    text = `${integer}${fraction}${unit}`;
  } else {
    const { fraction, integer: seconds } = splitFraction(u, 9);
    const minutes = seconds / 60n;
    const hours = minutes / 60n;
    text = `${seconds % 60n}${fraction}s`;
    if (minutes > 0n) text = `${minutes % 60n}m${text}`;
    if (hours > 0n) text = `${hours}h${text}`;
  }
  return negative ? `-${text}` : text;
}

/** Formats milliseconds (fractions down to the nanosecond) as Go's Duration.String(). */
export function formatGoDuration(ms: number): string {
  return formatGoDurationNanos(millisToNanos(ms));
}
