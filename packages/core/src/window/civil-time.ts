/** Milliseconds in one day of 24 hours (what Go's `Add(24 * time.Hour)` adds). */
export const DAY_MS = 86_400_000;

// The Gregorian calendar repeats every 400 years (146 097 days); used to dodge Date.UTC's 19xx
// mapping of years 0–99.
const FOUR_CENTURIES_MS = 146_097 * DAY_MS;

/**
 * Reads a calendar date and wall-clock time as if it were UTC and returns its epoch milliseconds.
 * Fields may overflow (day 32, hour 24): they carry over like Go's `time.Date` normalisation.
 */
export function civilToEpochMs(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  millisecond = 0,
): number {
  if (year >= 0 && year < 100) {
    return Date.UTC(year + 400, month - 1, day, hour, minute, second, millisecond) - FOUR_CENTURIES_MS;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
}
