import { civilToEpochMs } from "./civil-time.js";
import { windowConfigError, type WindowParseOptions } from "./config-error.js";
import type { Weekday } from "./weekdays.js";

/** A calendar date and wall-clock time in some zone, with the weekday of that date. */
export interface LocalDateTime {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  /** 1–31 */
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  /** 0 = Sunday */
  readonly weekday: Weekday;
}

/** A wall-clock date and time to turn into an instant; fields may overflow as in Go's `time.Date`. */
export interface LocalFields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const HOUR_MS = 3_600_000;

const FIX = "use an IANA time zone name such as Europe/Berlin or America/Los_Angeles, or UTC, or Local";

/** The zone of this process (Go's `time.Local`: TZ, else /etc/localtime, else UTC). */
function processZoneId(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The IANA id ICU knows `name` by, or undefined; offsets like `+05:00` are refused as Go does. */
function resolveZoneId(name: string): string | undefined {
  if (/^[+\-\u2212]/.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

// One formatter per zone id: creating an Intl.DateTimeFormat costs far more than using one.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(id: string): Intl.DateTimeFormat {
  let formatter = formatters.get(id);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: id,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(id, formatter);
  }
  return formatter;
}

/**
 * A time zone, as Go's `*time.Location` is used by kured: offsets and wall-clock conversions come
 * from Node's ICU data through Intl (docs/adr/0002-time-zones-with-intl.md).
 */
export class TimeZone {
  /** UTC, Go's `time.UTC`. */
  static readonly UTC: TimeZone = new TimeZone("UTC", "UTC");

  /** The name as the user gave it (what kured prints); `UTC` for the empty name. */
  readonly name: string;
  /** The IANA id ICU resolved the name to (e.g. `America/Panama` for `EST`); `UTC` for UTC. */
  readonly id: string;
  private readonly formatter: Intl.DateTimeFormat | undefined;

  private constructor(name: string, id: string) {
    this.name = name;
    this.id = id;
    // Every spelling of UTC resolves to "UTC": offset 0 forever, no Intl call needed.
    this.formatter = id === "UTC" ? undefined : formatterFor(id);
  }

  /** Same as loadTimeZone(). */
  static load(input: string, options: WindowParseOptions = {}): TimeZone {
    const name = input.trim();
    // kured's default: no Intl call, which would page in ICU's data (~5 MB of every idle daemon)
    if (name === "" || name === "UTC") return TimeZone.UTC;
    if (name.toLowerCase() === "local") return new TimeZone(name, processZoneId());
    const id = resolveZoneId(name);
    if (id !== undefined) return new TimeZone(name, id);
    throw windowConfigError([
      { subject: options.flag ?? "--time-zone", value: input, message: `unknown time zone ${input}`, fix: FIX },
    ]);
  }

  /** The zone's offset from UTC in seconds at an instant (e.g. 3600 for CET, -25200 for PDT). */
  offsetSecondsAt(epochMs: number): number {
    if (!this.formatter) return 0;
    const whole = Math.floor(epochMs / 1000) * 1000;
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let beforeChrist = false;
    for (const part of this.formatter.formatToParts(whole)) {
      switch (part.type) {
        case "year":
          year = Number(part.value);
          break;
        case "month":
          month = Number(part.value);
          break;
        case "day":
          day = Number(part.value);
          break;
        case "hour":
          hour = Number(part.value);
          break;
        case "minute":
          minute = Number(part.value);
          break;
        case "second":
          second = Number(part.value);
          break;
        case "era":
          beforeChrist = part.value === "BC";
          break;
      }
    }
    if (beforeChrist) year = 1 - year;
    return (civilToEpochMs(year, month, day, hour, minute, second) - whole) / 1000;
  }

  /** The wall-clock date and time in this zone at an instant (Go's `t.In(loc)`). */
  localAt(epochMs: number): LocalDateTime {
    const shifted = new Date(epochMs + this.offsetSecondsAt(epochMs) * 1000);
    return {
      year: shifted.getUTCFullYear(),
      month: shifted.getUTCMonth() + 1,
      day: shifted.getUTCDate(),
      hour: shifted.getUTCHours(),
      minute: shifted.getUTCMinutes(),
      second: shifted.getUTCSeconds(),
      millisecond: shifted.getUTCMilliseconds(),
      weekday: shifted.getUTCDay() as Weekday,
    };
  }

  /**
   * The instant of a wall-clock time in this zone, normalised exactly as Go's `time.Date`: take the
   * offset in force at the wall time read as UTC; if that is not 0, re-take the offset at (wall
   * time − that offset). In a DST gap this moves the time by the gap's size (forward east of UTC,
   * back west of it); in an overlap it picks one of the two instants by the same rule.
   */
  instantOf(local: LocalFields): number {
    const wall = civilToEpochMs(local.year, local.month, local.day, local.hour, local.minute, local.second);
    const guess = this.offsetSecondsAt(wall);
    // Go keeps `guess` when wall − guess lies in the same zone period, which is when the offset
    // there is the same; otherwise it uses the offset there. Both cases are "the offset there".
    const offset = guess === 0 ? 0 : this.offsetSecondsAt(wall - guess * 1000);
    return wall - offset * 1000;
  }

  /**
   * The first instant after `epochMs` at which the local calendar date differs from the date at
   * `epochMs`: usually the next local midnight, or a DST transition that jumps over midnight.
   * Offset changes are looked for hour by hour, so two transitions less than an hour apart that
   * cancel out would go unseen (no zone has them).
   */
  nextDateChange(epochMs: number): number {
    const today = this.localAt(epochMs);
    let probe = epochMs;
    for (;;) {
      const offset = this.offsetSecondsAt(probe);
      const midnight = civilToEpochMs(today.year, today.month, today.day + 1) - offset * 1000;
      const change = this.firstOffsetChange(probe, midnight, offset);
      if (change === undefined) return midnight;
      const there = this.localAt(change);
      if (there.year !== today.year || there.month !== today.month || there.day !== today.day) return change;
      probe = change;
    }
  }

  /** The first whole second in (from, to] whose offset differs from `offset`, if any. */
  private firstOffsetChange(from: number, to: number, offset: number): number | undefined {
    if (!this.formatter) return undefined;
    let low = from;
    for (;;) {
      const high = Math.min(low + HOUR_MS, to);
      if (this.offsetSecondsAt(high) !== offset) return this.bisectChange(low, high, offset);
      if (high >= to) return undefined;
      low = high;
    }
  }

  /** Offsets change on whole seconds: the first second in (low, high] with another offset. */
  private bisectChange(low: number, high: number, offset: number): number {
    let lo = Math.floor(low / 1000); // offset(lo) === offset
    let hi = Math.floor(high / 1000); // offset(hi) !== offset
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.offsetSecondsAt(mid * 1000) === offset) lo = mid;
      else hi = mid;
    }
    return hi * 1000;
  }

  /** The name kured prints: the one given (`UTC` for the empty name). */
  toString(): string {
    return this.name;
  }
}

/**
 * Loads `--time-zone` like Go's `time.LoadLocation`: `""` and `UTC` are UTC, `Local` is the
 * process's zone, anything else an IANA name (legacy names such as `EST` included). Superset of
 * kured: surrounding spaces are ignored and names match in any case (`utc`, `europe/berlin`);
 * the zone keeps the name as given for display.
 * @throws KuredError KURED_ERR_CONFIG_INVALID `unknown time zone <name>`
 */
export function loadTimeZone(input: string, options: WindowParseOptions = {}): TimeZone {
  return TimeZone.load(input, options);
}
