import { isKuredError, type Problem } from "../errors/kured-error.js";
import { DAY_MS } from "./civil-time.js";
import { windowConfigError } from "./config-error.js";
import { compareTimeOfDay, formatHourMinute, parseTimeOfDay, type TimeOfDay } from "./time-of-day.js";
import { loadTimeZone, type LocalDateTime, type TimeZone } from "./time-zone.js";
import { parseWeekdays, type Weekdays } from "./weekdays.js";

/** The four inputs of a reboot window, as the flags give them (no defaults applied here). */
export interface RebootWindowInput {
  /** `--reboot-days`, e.g. `mon,tue` or `["mo", "tu"]` */
  readonly rebootDays: string | readonly string[];
  /** `--start-time`, e.g. `22:00` or `10pm` */
  readonly startTime: string;
  /** `--end-time`, inclusive to the end of its second */
  readonly endTime: string;
  /** `--time-zone`, e.g. `Europe/Berlin`, `UTC`, `Local` */
  readonly timeZone: string;
}

/** The parsed parts of a reboot window. */
export interface RebootWindowParts {
  readonly days: Weekdays;
  readonly start: TimeOfDay;
  readonly end: TimeOfDay;
  readonly timeZone: TimeZone;
}

/** The instants a window's start and end fall on for one local date, before any wrap adjustment. */
interface DayBounds {
  readonly start: number;
  readonly end: number;
}

// How far nextOpening() looks before giving up; any non-empty window opens within 8 days.
const SEARCH_LIMIT_MS = 8 * 7 * DAY_MS;

/** Runs one parser, collecting its problems instead of stopping at the first bad input. */
function collect<T>(problems: Problem[], parse: () => T): T | undefined {
  try {
    return parse();
  } catch (e) {
    if (!isKuredError(e)) throw e;
    problems.push(...e.problems);
    return undefined;
  }
}

/**
 * When kured may reboot: on the given weekdays, between a start and an end time of day in a time
 * zone, with exactly Go kured's `timewindow.Contains` semantics (see docs/compat/window.md).
 */
export class RebootWindow {
  /** Days on which the window opens; checked against the weekday of the instant in the zone. */
  readonly days: Weekdays;
  /** Start time of day, inclusive. */
  readonly start: TimeOfDay;
  /** End time of day, inclusive to the last millisecond of its second. */
  readonly end: TimeOfDay;
  /** The zone in which days and times are read. */
  readonly timeZone: TimeZone;
  // kured compares its parsed times with Time.After, fraction of a second included
  private readonly wrapsMidnight: boolean;
  // contains() is called once per period with mostly the same local date: remember its bounds
  private lastDay: { key: number; bounds: DayBounds } | undefined;

  constructor(parts: RebootWindowParts) {
    this.days = parts.days;
    this.start = parts.start;
    this.end = parts.end;
    this.timeZone = parts.timeZone;
    this.wrapsMidnight = compareTimeOfDay(parts.start, parts.end) > 0;
  }

  /**
   * Parses the four window flags; reports the problems of all of them at once.
   * @throws KuredError KURED_ERR_CONFIG_INVALID with one problem per bad input
   */
  static parse({ rebootDays, startTime, endTime, timeZone }: RebootWindowInput): RebootWindow {
    const problems: Problem[] = [];
    const days = collect(problems, () => parseWeekdays(rebootDays, { flag: "--reboot-days" }));
    const start = collect(problems, () => parseTimeOfDay(startTime, { flag: "--start-time" }));
    const end = collect(problems, () => parseTimeOfDay(endTime, { flag: "--end-time" }));
    const zone = collect(problems, () => loadTimeZone(timeZone, { flag: "--time-zone" }));
    if (!days || !start || !end || !zone) throw windowConfigError(problems);
    return new RebootWindow({ days, start, end, timeZone: zone });
  }

  /**
   * True when a reboot may happen at `instant`: the instant's weekday in the zone is one of the
   * days, and the instant lies between that local date's start and end (end inclusive to its last
   * millisecond). If the window wraps midnight (start after end), an instant up to today's end is
   * measured from start − 24 h, a later one up to end + 24 h — 24 hours, not a calendar day, as
   * kured does, which matters on DST days.
   */
  contains(instant: Date): boolean {
    const t = instant.getTime();
    if (Number.isNaN(t)) throw new RangeError("RebootWindow.contains: invalid Date");
    const local = this.timeZone.localAt(t);
    return this.days.has(local.weekday) && this.inWindowOn(t, this.boundsOn(local));
  }

  /**
   * The first instant at or after `after` at which contains() is true, exact to the millisecond;
   * undefined when the day set is empty (or, which no real zone allows, nothing opens in 8 weeks).
   */
  nextOpening(after: Date): Date | undefined {
    let t = after.getTime();
    if (Number.isNaN(t)) throw new RangeError("RebootWindow.nextOpening: invalid Date");
    if (this.days.size === 0) return undefined;
    const limit = t + SEARCH_LIMIT_MS;
    while (t <= limit) {
      const local = this.timeZone.localAt(t);
      const dateChange = this.timeZone.nextDateChange(t);
      if (!this.days.has(local.weekday)) {
        t = dateChange;
        continue;
      }
      const bounds = this.boundsOn(local);
      if (this.inWindowOn(t, bounds)) return new Date(t);
      // While the local date stays the same, contains() can only turn true at one of these.
      const candidates = [bounds.start - DAY_MS, bounds.start, bounds.end + 1, dateChange].filter((c) => c > t);
      t = Math.min(...candidates);
    }
    return undefined;
  }

  /** kured's form: `---MonTueWedThuFri--- between 17:00 and 08:00 America/Los_Angeles`. */
  toString(): string {
    return `${this.days.toString()} between ${formatHourMinute(this.start)} and ${formatHourMinute(this.end)} ${this.timeZone.name}`;
  }

  /** kured's final test for an instant whose local date gave `bounds`. */
  private inWindowOn(t: number, bounds: DayBounds): boolean {
    let { start, end } = bounds;
    if (this.wrapsMidnight) {
      // Go: `t.Before(end)` with end at .999999999; a millisecond instant is before it iff t ≤ end.
      if (t <= end) start -= DAY_MS;
      else end += DAY_MS;
    }
    return start <= t && t <= end;
  }

  /** The start and end instants on the local date of `local`, via Go's `time.Date` rules. */
  private boundsOn(local: LocalDateTime): DayBounds {
    const key = (local.year * 16 + local.month) * 32 + local.day;
    if (this.lastDay?.key === key) return this.lastDay.bounds;
    const { year, month, day } = local;
    const zone = this.timeZone;
    const at = (t: TimeOfDay) => zone.instantOf({ year, month, day, hour: t.hour, minute: t.minute, second: t.second });
    // Go's end carries 999 999 999 ns: in milliseconds the end second's last millisecond
    const bounds = { start: at(this.start), end: at(this.end) + 999 };
    this.lastDay = { key, bounds };
    return bounds;
  }
}
