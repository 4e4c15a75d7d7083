import { windowConfigError, type WindowParseOptions } from "./config-error.js";

/** A wall-clock time of day, 00:00:00 to 23:59:59, as `--start-time` / `--end-time` give it. */
export interface TimeOfDay {
  /** 0–23 */
  readonly hour: number;
  /** 0–59 */
  readonly minute: number;
  /** 0–59 */
  readonly second: number;
  /**
   * 0–999 999 999, only from `17:00:00.5`-style input (Go's `15:04:05` layout accepts a fraction).
   * kured never uses it for the window's instants, but does compare start and end with it.
   */
  readonly nanosecond?: number;
}

const FIX = "use 24-hour H:MM or H:MM:SS (e.g. 17:00, 23:59:59), or 12-hour with am/pm (e.g. 5pm, 05:30pm, 11:30am)";

// Each layout kured tries, in its order, as a regular expression on the whole (trimmed) string.
// Digits are ASCII only, like Go's getnum; `[0-9]{1,2}` is Go's non-fixed hour field.
/** `15:04`: hour 1–2 digits, minute exactly 2. */
const H24_MINUTES = /^([0-9]{1,2}):([0-9]{2})$/;
/** `15:04:05`, and Go's silent fractional second after `05` (`.5`, `,123`). */
const H24_SECONDS = /^([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:[.,]([0-9]+))?$/;
/** `03:04pm` (two-digit hour); superset: one-digit hour (`5:30pm`) and upper-case `AM`/`PM`. */
const H12_MINUTES = /^([0-9]{1,2}):([0-9]{2})(am|pm|AM|PM)$/;
/** `15`: hour alone, 1–2 digits. */
const H24_HOUR = /^([0-9]{1,2})$/;
/** `03pm` and `3pm`; superset: upper-case `AM`/`PM`. */
const H12_HOUR = /^([0-9]{1,2})(am|pm|AM|PM)$/;

/** Go's hour for a 12-hour clock: 0–12 accepted; `12am` and `0am` are 0, `0pm` and `12pm` are 12. */
function hourFrom12(hour: number, marker: string): number | undefined {
  if (hour > 12) return undefined;
  const pm = marker.toLowerCase() === "pm";
  if (pm && hour < 12) return hour + 12;
  if (!pm && hour === 12) return 0;
  return hour;
}

/** Go's `parseNanoseconds`: digits after the point, the first nine counted, scaled to nanoseconds. */
function nanosecondsFrom(fraction: string | undefined): number {
  if (fraction === undefined) return 0;
  return Number(fraction.slice(0, 9).padEnd(9, "0"));
}

function build(hour: number | undefined, minute: number, second: number, nanosecond = 0): TimeOfDay | undefined {
  if (hour === undefined || hour > 23 || minute > 59 || second > 59) return undefined;
  return { hour, minute, second, nanosecond };
}

/** The first layout that accepts `s`, as kured tries them, or undefined. */
function match(s: string): TimeOfDay | undefined {
  let m: RegExpExecArray | null;
  if ((m = H24_MINUTES.exec(s))) return build(Number(m[1]), Number(m[2]), 0);
  if ((m = H24_SECONDS.exec(s))) return build(Number(m[1]), Number(m[2]), Number(m[3]), nanosecondsFrom(m[4]));
  if ((m = H12_MINUTES.exec(s))) return build(hourFrom12(Number(m[1]), m[3] ?? ""), Number(m[2]), 0);
  if ((m = H24_HOUR.exec(s))) return build(Number(m[1]), 0, 0);
  if ((m = H12_HOUR.exec(s))) return build(hourFrom12(Number(m[1]), m[2] ?? ""), 0, 0);
  return undefined;
}

/**
 * Parses `--start-time` / `--end-time` as kured does (Go layouts `15:04`, `15:04:05`, `03:04pm`,
 * `15`, `03pm`, `3pm` on the whole string). Superset of kured: surrounding spaces are ignored,
 * `5:30pm` (one-digit hour with minutes) and upper-case `AM`/`PM` are accepted.
 * @throws KuredError KURED_ERR_CONFIG_INVALID `invalid time format: <s>`
 */
export function parseTimeOfDay(input: string, options: WindowParseOptions = {}): TimeOfDay {
  const parsed = match(input.trim());
  if (parsed) return parsed;
  throw windowConfigError([
    { subject: options.flag ?? "time of day", value: input, message: `invalid time format: ${input}`, fix: FIX },
  ]);
}

/** Orders two times of day like Go's `Time.After`/`Before` on kured's parsed times (nanoseconds included). */
export function compareTimeOfDay(a: TimeOfDay, b: TimeOfDay): number {
  return a.hour - b.hour || a.minute - b.minute || a.second - b.second || (a.nanosecond ?? 0) - (b.nanosecond ?? 0);
}

/** `HH:MM`, the way kured prints a window's start and end (seconds not shown). */
export function formatHourMinute(t: TimeOfDay): string {
  return `${String(t.hour).padStart(2, "0")}:${String(t.minute).padStart(2, "0")}`;
}
