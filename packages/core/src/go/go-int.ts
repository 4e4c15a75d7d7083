/**
 * Go's integer parsing as kured meets it: pflag's int flags use strconv.ParseInt(s, 0, 64) (base
 * prefixes, `_` separators), KURED_* int variables use strconv.Atoi (plain decimal).
 *
 * Results are JS numbers. Go accepts up to ±2^63−1, but a number holds integers exactly only up to
 * ±(2^53−1); beyond that we throw instead of silently rounding (no kured flag needs such values).
 */
import { GoParseError } from "./go-parse-error.js";
import { quoteGo } from "./go-quote.js";

/** Options of parseGoInt. */
export interface GoIntOptions {
  /** the Go integer size checked against: 64 (default, as pflag's int) or 32 */
  bitSize?: 64 | 32;
}

type GoFunc = "ParseInt" | "Atoi";

const syntaxError = (fn: GoFunc, s: string): GoParseError =>
  new GoParseError(s, `strconv.${fn}: parsing ${quoteGo(s)}: invalid syntax`);
const rangeError = (fn: GoFunc, s: string): GoParseError =>
  new GoParseError(s, `strconv.${fn}: parsing ${quoteGo(s)}: value out of range`);

/** Go's underscoreOK: `_` only between digits, or between a base prefix and a digit. */
function underscoresOk(s: string): boolean {
  let body = s;
  if (body.startsWith("+") || body.startsWith("-")) body = body.slice(1);
  // saw: "^" start, "0" digit or base prefix, "_" underscore, "!" anything else
  let saw = "^";
  let i = 0;
  let hex = false;
  if (body.length >= 2 && body[0] === "0" && /[box]/i.test(body[1] ?? "")) {
    i = 2;
    saw = "0";
    hex = (body[1] ?? "").toLowerCase() === "x";
  }
  for (; i < body.length; i++) {
    const ch = body[i] ?? "";
    if ((ch >= "0" && ch <= "9") || (hex && /[a-f]/i.test(ch))) {
      saw = "0";
    } else if (ch === "_") {
      if (saw !== "0") return false;
      saw = "_";
    } else {
      if (saw === "_") return false;
      saw = "!";
    }
  }
  return saw !== "_";
}

/** The digit value of a character in any base up to 36, or 99 for a non-digit. */
function digitValue(ch: string): number {
  const c = ch.toLowerCase();
  if (c >= "0" && c <= "9") return c.charCodeAt(0) - 48;
  if (c >= "a" && c <= "z") return c.charCodeAt(0) - 87;
  return 99;
}

/** strconv.ParseInt(s, base, bitSize) for base 0 (prefix-detected) or 10, as a bigint. */
function parseIntExact(fn: GoFunc, s: string, base0: boolean, bitSize: number): bigint {
  if (s === "") throw syntaxError(fn, s);
  let body = s;
  let negative = false;
  if (body[0] === "+" || body[0] === "-") {
    negative = body[0] === "-";
    body = body.slice(1);
  }
  if (body === "") throw syntaxError(fn, s);

  let base = 10;
  if (base0 && body[0] === "0") {
    const prefix = (body[1] ?? "").toLowerCase();
    if (body.length >= 3 && (prefix === "b" || prefix === "o" || prefix === "x")) {
      base = prefix === "b" ? 2 : prefix === "o" ? 8 : 16;
      body = body.slice(2);
    } else {
      // A leading 0 alone means octal (`010` is 8); `0` itself is fine.
      base = 8;
      body = body.slice(1);
    }
  }

  const limit = 1n << BigInt(bitSize - 1);
  const unsignedMax = (1n << BigInt(bitSize)) - 1n;
  let n = 0n;
  let underscores = false;
  for (const ch of body) {
    if (ch === "_" && base0) {
      underscores = true;
      continue;
    }
    const d = digitValue(ch);
    if (d >= base) throw syntaxError(fn, s);
    n = n * BigInt(base) + BigInt(d);
    // Like Go's ParseUint, give up once the unsigned range is exceeded, even if a bad character follows.
    if (n > unsignedMax) throw rangeError(fn, s);
  }
  if (underscores && !underscoresOk(s)) throw syntaxError(fn, s);
  if (negative ? n > limit : n >= limit) throw rangeError(fn, s);
  return negative ? -n : n;
}

function toSafeNumber(fn: GoFunc, s: string, n: bigint): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new GoParseError(
      s,
      `strconv.${fn}: parsing ${quoteGo(s)}: value out of range (kured-ts accepts integers up to ±${Number.MAX_SAFE_INTEGER})`,
    );
  }
  const value = Number(n);
  return value === 0 ? 0 : value; // never -0
}

/**
 * Parses an integer as pflag's int flags do (strconv.ParseInt(s, 0, 64)): optional sign, `0x`,
 * `0o`, `0b` prefixes, a leading `0` for octal, `_` between digits; throws GoParseError with Go's message.
 */
export function parseGoInt(s: string, opts?: GoIntOptions): number {
  return toSafeNumber("ParseInt", s, parseIntExact("ParseInt", s, true, opts?.bitSize ?? 64));
}

/** Parses a decimal integer as strconv.Atoi (how kured reads KURED_* int variables); throws GoParseError. */
export function parseGoDecimalInt(s: string): number {
  return toSafeNumber("Atoi", s, parseIntExact("Atoi", s, false, 64));
}
