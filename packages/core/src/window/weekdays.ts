import type { Problem } from "../errors/kured-error.js";
import { windowConfigError, type WindowParseOptions } from "./config-error.js";

/** A day of the week as Go's `time.Weekday` numbers it: 0 = Sunday … 6 = Saturday. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

const ABBREVIATIONS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

const DAY_NAMES: ReadonlyMap<string, Weekday> = new Map<string, Weekday>([
  ["su", 0],
  ["sun", 0],
  ["sunday", 0],
  ["mo", 1],
  ["mon", 1],
  ["monday", 1],
  ["tu", 2],
  ["tue", 2],
  ["tuesday", 2],
  ["we", 3],
  ["wed", 3],
  ["wednesday", 3],
  ["th", 4],
  ["thu", 4],
  ["thursday", 4],
  ["fr", 5],
  ["fri", 5],
  ["friday", 5],
  ["sa", 6],
  ["sat", 6],
  ["saturday", 6],
]);

const FIX = "use day names (mon, tue…) or numbers 0-6 (0 = Sunday), comma-separated";

/** True when `n` is a whole number from 0 to 6. */
export function isWeekday(n: number): n is Weekday {
  return Number.isInteger(n) && n >= 0 && n <= 6;
}

/** A set of weekdays, as kured's `--reboot-days` gives it; the empty set means "never reboot". */
export class Weekdays implements Iterable<Weekday> {
  /** Every day of the week. */
  static readonly ALL: Weekdays = new Weekdays(0b111_1111);
  /** No day at all: a window with it never opens. */
  static readonly NONE: Weekdays = new Weekdays(0);

  // bit n set = weekday n in the set, like kured's uint32 bitmask
  private readonly mask: number;

  private constructor(mask: number) {
    this.mask = mask;
  }

  /** The set holding exactly the given days. */
  static of(days: Iterable<Weekday>): Weekdays {
    let mask = 0;
    for (const day of days) mask |= 1 << day;
    return new Weekdays(mask);
  }

  /** True when `day` (0 = Sunday) is in the set; false for anything that is not a weekday number. */
  has(day: number): boolean {
    return isWeekday(day) && (this.mask & (1 << day)) !== 0;
  }

  /** How many distinct days the set holds (0–7). */
  get size(): number {
    let n = 0;
    for (let d = 0; d < 7; d++) if ((this.mask >> d) & 1) n++;
    return n;
  }

  /** The days in the set, Sunday first. */
  *values(): IterableIterator<Weekday> {
    for (let d = 0; d < 7; d++) if (isWeekday(d) && this.has(d)) yield d;
  }

  /** Same as values(). */
  [Symbol.iterator](): IterableIterator<Weekday> {
    return this.values();
  }

  /** kured's display: 7 slots of 3 characters, Sunday first, `---` for an absent day. */
  toString(): string {
    return ABBREVIATIONS.map((name, d) => (this.has(d) ? name : "---")).join("");
  }
}

const INTEGER = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's strconv.Atoi on a 64-bit platform: an optional sign and decimal digits that fit an int64. */
function goAtoi(s: string): bigint | undefined {
  if (!INTEGER.test(s)) return undefined;
  const n = BigInt(s);
  // Go reports ErrRange here, and kured then falls back to the day names.
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** Go's strings.ToLower for the letters that matter here: Go maps U+0130 (İ) to a plain `i`. */
function goToLower(s: string): string {
  return s.replaceAll("\u0130", "i").toLowerCase();
}

/** One item of `--reboot-days` (already trimmed, not empty), or the problem with it. */
function parseWeekday(item: string, subject: string): Weekday | Problem {
  const n = goAtoi(item);
  if (n !== undefined) {
    if (n >= 0n && n <= 6n) return Number(n) as Weekday;
    return { subject, value: item, message: `invalid weekday, number out of range: ${item}`, fix: FIX };
  }
  return DAY_NAMES.get(goToLower(item)) ?? { subject, value: item, message: `invalid weekday: ${item}`, fix: FIX };
}

/**
 * Parses `--reboot-days` with kured's rules: comma-separated items (each array element is split on
 * commas too), empty items skipped, each a number 0–6 (Go `Atoi`: `+1`, `01` work) or a day name
 * in any case. Superset of kured: spaces around items are ignored. Every bad item is reported.
 * @throws KuredError KURED_ERR_CONFIG_INVALID
 */
export function parseWeekdays(input: string | readonly string[], options: WindowParseOptions = {}): Weekdays {
  const subject = options.flag ?? "--reboot-days";
  const items = (typeof input === "string" ? [input] : input).flatMap((element) => element.split(","));
  const days: Weekday[] = [];
  const problems: Problem[] = [];
  for (const raw of items) {
    const item = raw.trim();
    if (item === "") continue;
    const parsed = parseWeekday(item, subject);
    if (typeof parsed === "number") days.push(parsed);
    else problems.push(parsed);
  }
  if (problems.length > 0) throw windowConfigError(problems);
  return Weekdays.of(days);
}
