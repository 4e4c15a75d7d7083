import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RebootWindow } from "./reboot-window.js";

const DAY_S = 86_400;
const MINUTE_MS = 60_000;
const WEEK_MS = 7 * DAY_S * 1000;
const DAY_NAMES = ["su", "mo", "tu", "we", "th", "fr", "sa"];

/** `H:MM:SS` for a second of the day (wrapping into 0–86 399). */
function clock(secondOfDay: number): string {
  const s = ((secondOfDay % DAY_S) + DAY_S) % DAY_S;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

const window = (days: readonly number[], start: number, end: number, timeZone: string) =>
  RebootWindow.parse({
    rebootDays: days.map((d) => DAY_NAMES[d] ?? "").join(","),
    startTime: clock(start),
    endTime: clock(end),
    timeZone,
  });

const secondOfDay = fc.integer({ min: 0, max: DAY_S - 1 });
// 1970–2100, millisecond precision
const instant = fc.integer({ min: 0, max: 4_102_444_800_000 });
const someDays = fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 });
const allDays = [0, 1, 2, 3, 4, 5, 6];

describe("RebootWindow properties", () => {
  it("in UTC, contains() is: weekday in set, and time of day in [start, end + 1 s), wrapping past midnight", () => {
    fc.assert(
      fc.property(someDays, secondOfDay, secondOfDay, instant, (days, start, end, t) => {
        const ms = t % (DAY_S * 1000);
        const from = start * 1000;
        const to = end * 1000 + 999;
        const inTime = start <= end ? from <= ms && ms <= to : ms >= from || ms <= to;
        const expected = days.includes(new Date(t).getUTCDay()) && inTime;
        expect(window(days, start, end, "UTC").contains(new Date(t))).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it("with all seven days, a window and its complement (end + 1 s to start − 1 s) never both contain an instant, and one always does", () => {
    fc.assert(
      fc.property(secondOfDay, secondOfDay, instant, (start, end, t) => {
        // when end + 1 s is start, the window is the whole day and its complement would be empty
        fc.pre((end + 1) % DAY_S !== start);
        const inside = window(allDays, start, end, "UTC").contains(new Date(t));
        const outside = window(allDays, end + 1, start - 1, "UTC").contains(new Date(t));
        expect(inside !== outside).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("in UTC, contains() does not change when the instant moves by whole weeks", () => {
    fc.assert(
      fc.property(someDays, secondOfDay, secondOfDay, instant, fc.integer({ min: -500, max: 500 }), (d, s, e, t, k) => {
        const w = window(d, s, e, "UTC");
        expect(w.contains(new Date(t + k * WEEK_MS))).toBe(w.contains(new Date(t)));
      }),
      { numRuns: 1000 },
    );
  });

  it("in UTC, nextOpening(t) is contained, and no whole minute from t up to it is, nor the millisecond before it", () => {
    fc.assert(
      fc.property(someDays, secondOfDay, secondOfDay, instant, (days, start, end, t) => {
        const w = window(days, start, end, "UTC");
        const opening = w.nextOpening(new Date(t));
        expect(opening).toBeDefined();
        const at = opening!.getTime();
        expect(at).toBeGreaterThanOrEqual(t);
        expect(w.contains(opening!)).toBe(true);
        if (at > t) expect(w.contains(new Date(at - 1))).toBe(false);
        for (let m = Math.ceil(t / MINUTE_MS) * MINUTE_MS; m < at; m += MINUTE_MS) {
          expect(w.contains(new Date(m))).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("across DST transitions too, nextOpening(t) is contained and no whole minute before it is", () => {
    const zones = ["America/Los_Angeles", "Europe/Berlin", "Europe/London", "Australia/Lord_Howe", "America/Santiago"];
    // instants within a few days of the 2024 transitions of those zones
    const transitions = [
      "2024-03-10T10:00:00Z",
      "2024-11-03T09:00:00Z",
      "2024-03-31T01:00:00Z",
      "2024-10-27T01:00:00Z",
      "2024-04-06T15:00:00Z",
      "2024-10-05T15:30:00Z",
      "2024-09-08T04:00:00Z",
    ].map((s) => Date.parse(s));
    const nearTransition = fc
      .tuple(
        fc.constantFrom(...transitions),
        fc.integer({ min: -3 * DAY_S, max: DAY_S }),
        fc.integer({ min: 0, max: 999 }),
      )
      .map(([base, s, ms]) => base + s * 1000 + ms);
    // times on the half hour near the usual transition hours, so windows start or end in gaps and overlaps
    const nearTransitionHour = fc.integer({ min: 0, max: 7 }).map((half) => half * 1800);
    const time = fc.oneof(secondOfDay, nearTransitionHour);
    fc.assert(
      fc.property(fc.constantFrom(...zones), someDays, time, time, nearTransition, (zone, days, start, end, t) => {
        const w = window(days, start, end, zone);
        const opening = w.nextOpening(new Date(t));
        expect(opening).toBeDefined();
        const at = opening!.getTime();
        expect(w.contains(opening!)).toBe(true);
        if (at > t) expect(w.contains(new Date(at - 1))).toBe(false);
        for (let m = Math.ceil(t / MINUTE_MS) * MINUTE_MS; m < at; m += MINUTE_MS) {
          expect(w.contains(new Date(m))).toBe(false);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("nextOpening is stable: from any instant between t and nextOpening(t), the answer is the same", () => {
    fc.assert(
      fc.property(
        someDays,
        secondOfDay,
        secondOfDay,
        instant,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (d, s, e, t, f) => {
          const w = window(d, s, e, "Europe/Berlin");
          const first = w.nextOpening(new Date(t))!.getTime();
          const between = t + Math.floor((first - t) * f);
          expect(w.nextOpening(new Date(between))!.getTime()).toBe(first);
        },
      ),
      { numRuns: 300 },
    );
  });
});
