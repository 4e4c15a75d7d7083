/** Days of the week and `--reboot-days` parsing. */
export { Weekdays, parseWeekdays, isWeekday, type Weekday } from "./weekdays.js";
/** Times of day and `--start-time` / `--end-time` parsing. */
export { parseTimeOfDay, type TimeOfDay } from "./time-of-day.js";
/** Time zones (`--time-zone`) on top of Intl, with Go's `time.Date` rules for DST gaps and overlaps. */
export { TimeZone, loadTimeZone, type LocalDateTime, type LocalFields } from "./time-zone.js";
/** The reboot window itself: kured's `timewindow.Contains`, its string form, and the next opening. */
export { RebootWindow, type RebootWindowInput, type RebootWindowParts } from "./reboot-window.js";
/** The `{ flag }` option the window parsers take to name the problem's subject. */
export type { WindowParseOptions } from "./config-error.js";
