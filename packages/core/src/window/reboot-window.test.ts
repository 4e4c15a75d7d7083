import { describe, expect, it } from "vitest";
import { isKuredError } from "../errors/kured-error.js";
import { RebootWindow } from "./reboot-window.js";

const ALL_DAYS = "su,mo,tu,we,th,fr,sa";

/** A window and instants with whether kured's Contains is true there. */
interface Scenario {
  readonly window: readonly [days: string, start: string, end: string, zone: string];
  /** [what the instant is, the instant with its offset, contained?] */
  readonly cases: readonly (readonly [string, string, boolean])[];
}

const window = (days: string, startTime: string, endTime: string, timeZone: string) =>
  RebootWindow.parse({ rebootDays: days, startTime, endTime, timeZone });

/** One it.each row per case: [window as text, what, instant, expected]. */
function rows(scenarios: readonly Scenario[]): [string, string, string, boolean][] {
  return scenarios.flatMap(({ window: [d, s, e, z], cases }) =>
    cases.map(([what, instant, expected]): [string, string, string, boolean] => [
      `${d} ${s}–${e} ${z}`,
      what,
      instant,
      expected,
    ]),
  );
}

function check(scenarios: readonly Scenario[]) {
  const byText = new Map(scenarios.map((s) => [`${s.window[0]} ${s.window[1]}–${s.window[2]} ${s.window[3]}`, s]));
  return (text: string, _what: string, instant: string, expected: boolean) => {
    const [d, s, e, z] = byText.get(text)!.window;
    expect(window(d, s, e, z).contains(new Date(instant))).toBe(expected);
  };
}

// 2024-06-03 is a Monday; 2019-04-04 a Thursday.
const upstream: Scenario[] = [
  {
    window: ["mon,tue,wed,thu,fri", "9am", "5pm", "America/Los_Angeles"],
    cases: [
      ["Thu 00:49 PDT", "2019-04-04T00:49:00-07:00", false],
      ["Fri 08:59 PDT", "2019-04-05T08:59:00-07:00", false],
      ["Fri 09:01 PDT", "2019-04-05T09:01:00-07:00", true],
      ["Sun 10:00 PDT", "2019-03-31T10:00:00-07:00", false],
      ["Thu 12:00 PDT", "2019-04-04T12:00:00-07:00", true],
      ["Thu 11:59 UTC = 04:59 PDT", "2019-04-04T11:59:00Z", false],
    ],
  },
  {
    window: ["mon,we,fri", "10:01", "11:30am", "America/Los_Angeles"],
    cases: [
      ["Fri 10:30", "2019-04-05T10:30:00-07:00", true],
      ["Sat 10:30", "2019-04-06T10:30:00-07:00", false],
      ["Sun 10:30", "2019-04-07T10:30:00-07:00", false],
      ["Mon 10:30", "2019-04-08T10:30:00-07:00", true],
      ["Tue 10:30", "2019-04-09T10:30:00-07:00", false],
      ["Wed 10:30", "2019-04-10T10:30:00-07:00", true],
      ["Thu 10:30", "2019-04-11T10:30:00-07:00", false],
    ],
  },
  {
    window: ["mo,tu,we,th,fr", "00:00", "23:59:59", "UTC"],
    cases: [
      ["Thu 00:00", "2019-04-18T00:00:00Z", true],
      ["Thu 23:59", "2019-04-18T23:59:00Z", true],
    ],
  },
];

const wrapMidnight: Scenario[] = [
  {
    // upstream: the day filter applies to the current local day, not to the day the window opened
    window: ["mon,tue,wed,fri", "11:59pm", "00:01am", "UTC"],
    cases: [
      ["Thu 23:59 (Thursday not in the set)", "2024-06-06T23:59:00Z", false],
      ["Fri 00:00", "2024-06-07T00:00:00Z", true],
      ["Fri 00:01:00.999 (end second inclusive)", "2024-06-07T00:01:00.999Z", true],
      ["Fri 00:01:01", "2024-06-07T00:01:01Z", false],
      ["Fri 23:58:59.999", "2024-06-07T23:58:59.999Z", false],
      ["Fri 23:59", "2024-06-07T23:59:00Z", true],
      ["Sat 00:00 (Saturday not in the set)", "2024-06-08T00:00:00Z", false],
      ["Wed 23:59:30", "2024-06-05T23:59:30Z", true],
      ["Thu 00:00:30 (opened Wednesday, but Thursday is not in the set)", "2024-06-06T00:00:30Z", false],
      ["Mon 00:00:59", "2024-06-03T00:00:59Z", true],
    ],
  },
  {
    window: ["fr", "10pm", "2am", "UTC"],
    cases: [
      ["Thu 23:00", "2024-06-06T23:00:00Z", false],
      ["Fri 00:00", "2024-06-07T00:00:00Z", true],
      ["Fri 02:00:00.999", "2024-06-07T02:00:00.999Z", true],
      ["Fri 02:00:01", "2024-06-07T02:00:01Z", false],
      ["Fri 12:00", "2024-06-07T12:00:00Z", false],
      ["Fri 21:59:59.999", "2024-06-07T21:59:59.999Z", false],
      ["Fri 22:00", "2024-06-07T22:00:00Z", true],
      ["Fri 23:59:59.999", "2024-06-07T23:59:59.999Z", true],
      ["Sat 01:00 (Saturday not in the set)", "2024-06-08T01:00:00Z", false],
    ],
  },
  {
    window: ["mon,tue,wed,thu,fri", "17:00", "08:00", "America/Los_Angeles"],
    cases: [
      ["Mon 00:00 PDT", "2024-06-03T00:00:00-07:00", true],
      ["Mon 07:59 PDT", "2024-06-03T07:59:00-07:00", true],
      ["Mon 08:00:00.999 PDT", "2024-06-03T08:00:00.999-07:00", true],
      ["Mon 08:00:01 PDT", "2024-06-03T08:00:01-07:00", false],
      ["Mon 16:59:59.999 PDT", "2024-06-03T16:59:59.999-07:00", false],
      ["Mon 17:00 PDT", "2024-06-03T17:00:00-07:00", true],
      ["Fri 23:00 PDT", "2024-06-07T23:00:00-07:00", true],
      ["Sat 03:00 PDT", "2024-06-08T03:00:00-07:00", false],
      ["Sun 23:00 PDT", "2024-06-09T23:00:00-07:00", false],
    ],
  },
  {
    // the widest wrapping window: a second before midnight to a second after
    window: [ALL_DAYS, "23:59:59", "0:00", "UTC"],
    cases: [
      ["23:59:58.999", "2024-06-03T23:59:58.999Z", false],
      ["23:59:59", "2024-06-03T23:59:59Z", true],
      ["00:00:00.999", "2024-06-04T00:00:00.999Z", true],
      ["00:00:01", "2024-06-04T00:00:01Z", false],
    ],
  },
];

const weekdayInZone: Scenario[] = [
  {
    window: ["mon", "0:00", "23:59:59", "Asia/Tokyo"],
    cases: [
      ["Sun 20:00 UTC = Mon 05:00 JST", "2024-06-02T20:00:00Z", true],
      ["Mon 16:00 UTC = Tue 01:00 JST", "2024-06-03T16:00:00Z", false],
      ["Sun 14:59:59.999 UTC = Sun 23:59:59.999 JST", "2024-06-02T14:59:59.999Z", false],
      ["Sun 15:00 UTC = Mon 00:00 JST", "2024-06-02T15:00:00Z", true],
    ],
  },
  {
    window: ["mon", "0:00", "23:59:59", "America/Los_Angeles"],
    cases: [
      ["Mon 03:00 UTC = Sun 20:00 PDT", "2024-06-03T03:00:00Z", false],
      ["Tue 03:00 UTC = Mon 20:00 PDT", "2024-06-04T03:00:00Z", true],
    ],
  },
];

const inclusiveEnd: Scenario[] = [
  {
    window: [ALL_DAYS, "09:00", "23:59", "UTC"],
    cases: [
      ["08:59:59.999", "2024-06-03T08:59:59.999Z", false],
      ["09:00:00.000", "2024-06-03T09:00:00.000Z", true],
      ["23:59:00.999", "2024-06-03T23:59:00.999Z", true],
      ["23:59:01.000", "2024-06-03T23:59:01.000Z", false],
    ],
  },
  {
    window: [ALL_DAYS, "9am", "5pm", "Europe/Berlin"],
    cases: [
      ["17:00:00.999 CEST", "2024-06-03T17:00:00.999+02:00", true],
      ["17:00:01 CEST", "2024-06-03T17:00:01+02:00", false],
    ],
  },
  {
    window: [ALL_DAYS, "0:00", "23:59:59", "UTC"],
    cases: [
      ["00:00:00.000", "2024-06-03T00:00:00.000Z", true],
      ["23:59:59.999", "2024-06-03T23:59:59.999Z", true],
    ],
  },
];

const oneSecond: Scenario[] = [
  {
    window: [ALL_DAYS, "12:00", "12:00", "UTC"],
    cases: [
      ["11:59:59.999", "2024-06-03T11:59:59.999Z", false],
      ["12:00:00.000", "2024-06-03T12:00:00.000Z", true],
      ["12:00:00.999", "2024-06-03T12:00:00.999Z", true],
      ["12:00:01.000", "2024-06-03T12:00:01.000Z", false],
    ],
  },
  {
    // start == end does not wrap: one second after midnight, not a whole day
    window: [ALL_DAYS, "0:00", "00:00", "UTC"],
    cases: [
      ["00:00:00.500", "2024-06-03T00:00:00.500Z", true],
      ["00:00:01", "2024-06-03T00:00:01Z", false],
      ["23:59:59.999", "2024-06-03T23:59:59.999Z", false],
    ],
  },
  {
    // kured compares start and end with their fraction: start 17:00:00.5 is after end 17:00:00,
    // so the window wraps and covers the whole day
    window: [ALL_DAYS, "17:00:00.5", "17:00:00", "UTC"],
    cases: [
      ["12:00", "2024-06-03T12:00:00Z", true],
      ["17:00:01", "2024-06-03T17:00:01Z", true],
      ["16:59:59", "2024-06-03T16:59:59Z", true],
    ],
  },
  {
    window: [ALL_DAYS, "17:00:00", "17:00:00.5", "UTC"],
    cases: [
      ["17:00:00.999", "2024-06-03T17:00:00.999Z", true],
      ["17:00:01", "2024-06-03T17:00:01Z", false],
    ],
  },
];

const dst: Scenario[] = [
  {
    // Los Angeles springs forward 2024-03-10 02:00 PST → 03:00 PDT; Go puts 02:30 at 01:30 PST
    window: [ALL_DAYS, "02:30", "03:30", "America/Los_Angeles"],
    cases: [
      ["01:29:59.999 PST", "2024-03-10T01:29:59.999-08:00", false],
      ["01:30 PST (the window opens an hour early)", "2024-03-10T01:30:00-08:00", true],
      ["03:30:00.999 PDT", "2024-03-10T03:30:00.999-07:00", true],
      ["03:30:01 PDT", "2024-03-10T03:30:01-07:00", false],
      ["02:30 PDT the next day", "2024-03-11T02:30:00-07:00", true],
    ],
  },
  {
    // Berlin springs forward 2024-03-31 02:00 CET → 03:00 CEST: start 02:30 becomes 03:30 CEST,
    // after the end 03:15, so the window is empty that day
    window: [ALL_DAYS, "02:30", "03:15", "Europe/Berlin"],
    cases: [
      ["01:59 CET", "2024-03-31T01:59:00+01:00", false],
      ["03:10 CEST", "2024-03-31T03:10:00+02:00", false],
      ["03:20 CEST", "2024-03-31T03:20:00+02:00", false],
      ["02:40 CET the day before", "2024-03-30T02:40:00+01:00", true],
    ],
  },
  {
    window: [ALL_DAYS, "22:00", "02:00", "Europe/Berlin"],
    cases: [
      ["Sun 01:59:59.999 CET", "2024-03-31T01:59:59.999+01:00", true],
      ["Sun 03:00:00.999 CEST (end 02:00 is in the gap: 03:00 CEST)", "2024-03-31T03:00:00.999+02:00", true],
      ["Sun 03:00:01 CEST", "2024-03-31T03:00:01+02:00", false],
    ],
  },
  {
    // Berlin falls back 2024-10-27 03:00 CEST → 02:00 CET: Go takes the second 02:30 (CET)
    window: [ALL_DAYS, "02:30", "02:45", "Europe/Berlin"],
    cases: [
      ["02:35 CEST (first pass)", "2024-10-27T02:35:00+02:00", false],
      ["02:35 CET (second pass)", "2024-10-27T02:35:00+01:00", true],
      ["02:45:00.999 CET", "2024-10-27T02:45:00.999+01:00", true],
    ],
  },
  {
    // Los Angeles falls back 2024-11-03 02:00 PDT → 01:00 PST: Go takes the first 01:30 (PDT)
    window: [ALL_DAYS, "01:30", "01:45", "America/Los_Angeles"],
    cases: [
      ["01:35 PDT (first pass)", "2024-11-03T01:35:00-07:00", true],
      ["01:35 PST (second pass)", "2024-11-03T01:35:00-08:00", false],
    ],
  },
  {
    // London falls back 2024-10-27 02:00 BST → 01:00 GMT: offset 0 at the guess, the GMT pass
    window: [ALL_DAYS, "01:30", "01:45", "Europe/London"],
    cases: [
      ["01:35 BST (first pass)", "2024-10-27T01:35:00+01:00", false],
      ["01:35 GMT (second pass)", "2024-10-27T01:35:00Z", true],
    ],
  },
  {
    // London springs forward 2024-03-31 01:00 GMT → 02:00 BST: both ends in the gap, one hour later
    window: [ALL_DAYS, "01:15", "01:45", "Europe/London"],
    cases: [
      ["00:59 GMT", "2024-03-31T00:59:00Z", false],
      ["02:30 BST", "2024-03-31T02:30:00+01:00", true],
      ["02:45:00.999 BST", "2024-03-31T02:45:00.999+01:00", true],
      ["02:46 BST", "2024-03-31T02:46:00+01:00", false],
    ],
  },
  {
    // Lord Howe springs forward 30 minutes 2024-10-06 02:00 → 02:30 (+10:30 → +11)
    window: [ALL_DAYS, "2:00", "2:20", "Australia/Lord_Howe"],
    cases: [
      ["01:59:59.999 +10:30", "2024-10-06T01:59:59.999+10:30", false],
      ["02:30 +11 (start 02:00 is in the gap)", "2024-10-06T02:30:00+11:00", true],
      ["02:50:00.999 +11", "2024-10-06T02:50:00.999+11:00", true],
      ["02:50:01 +11", "2024-10-06T02:50:01+11:00", false],
    ],
  },
  {
    // Lord Howe falls back 30 minutes 2024-04-07 02:00 → 01:30 (+11 → +10:30): the later pass
    window: [ALL_DAYS, "1:40", "1:50", "Australia/Lord_Howe"],
    cases: [
      ["01:45 +11 (first pass)", "2024-04-07T01:45:00+11:00", false],
      ["01:45 +10:30 (second pass)", "2024-04-07T01:45:00+10:30", true],
    ],
  },
  {
    // kured wraps with Add(±24h), not a calendar day: on the 25-hour 2024-10-27 in Berlin,
    // today's end 00:30 CEST + 24 h is 23:30 CET the same day
    window: [ALL_DAYS, "22:00", "0:30", "Europe/Berlin"],
    cases: [
      ["Sun 23:30:00.999 CET", "2024-10-27T23:30:00.999+01:00", true],
      ["Sun 23:30:01 CET", "2024-10-27T23:30:01+01:00", false],
      ["Sun 23:45 CET (a calendar day would say true)", "2024-10-27T23:45:00+01:00", false],
      ["Mon 00:15 CET", "2024-10-28T00:15:00+01:00", true],
    ],
  },
  {
    // …and today's start 23:30 CET − 24 h is 00:30 CEST the same day
    window: [ALL_DAYS, "23:30", "1:00", "Europe/Berlin"],
    cases: [
      ["Sun 00:15 CEST (a calendar day would say true)", "2024-10-27T00:15:00+02:00", false],
      ["Sun 00:29:59.999 CEST", "2024-10-27T00:29:59.999+02:00", false],
      ["Sun 00:30 CEST", "2024-10-27T00:30:00+02:00", true],
      ["Sat 00:15 CEST", "2024-10-26T00:15:00+02:00", true],
    ],
  },
  {
    window: [ALL_DAYS, "23:30", "1:00", "America/Los_Angeles"],
    cases: [
      ["Sun 00:15 PDT (start − 24 h is 00:30 PDT)", "2024-11-03T00:15:00-07:00", false],
      ["Sun 00:30 PDT", "2024-11-03T00:30:00-07:00", true],
    ],
  },
  {
    // Santiago skips midnight 2024-09-08 (00:00 → 01:00): Sunday begins at 01:00
    window: ["su", "0:00", "23:59:59", "America/Santiago"],
    cases: [
      ["Sat 23:59:59.999 -04", "2024-09-07T23:59:59.999-04:00", false],
      ["Sun 01:00 -03", "2024-09-08T01:00:00-03:00", true],
    ],
  },
];

const never: Scenario[] = [
  {
    window: ["", "0:00", "23:59:59", "UTC"],
    cases: [
      ["Mon noon", "2024-06-03T12:00:00Z", false],
      ["Sun midnight", "2024-06-09T00:00:00Z", false],
    ],
  },
  {
    window: [",,,", "0:00", "23:59:59", "UTC"],
    cases: [["Wed noon", "2024-06-05T12:00:00Z", false]],
  },
];

describe("RebootWindow.contains", () => {
  it.each(rows(upstream))("upstream table — %s: %s (%s) → %s", check(upstream));
  it.each(rows(wrapMidnight))("wraps midnight — %s: %s (%s) → %s", check(wrapMidnight));
  it.each(rows(weekdayInZone))("weekday in the zone — %s: %s (%s) → %s", check(weekdayInZone));
  it.each(rows(inclusiveEnd))("inclusive end second — %s: %s (%s) → %s", check(inclusiveEnd));
  it.each(rows(oneSecond))("start == end — %s: %s (%s) → %s", check(oneSecond));
  it.each(rows(dst))("DST (Go's time.Date) — %s: %s (%s) → %s", check(dst));
  it.each(rows(never))("empty day set — %s: %s (%s) → %s", check(never));

  it("throws on an invalid Date instead of answering", () => {
    expect(() => window(ALL_DAYS, "0:00", "23:59:59", "UTC").contains(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe("RebootWindow.toString: kured's form, seconds not shown", () => {
  it.each([
    [
      "mon,tue,wed,thu,fri",
      "17:00",
      "08:00",
      "America/Los_Angeles",
      "---MonTueWedThuFri--- between 17:00 and 08:00 America/Los_Angeles",
    ],
    [ALL_DAYS, "0:00", "23:59:59", "UTC", "SunMonTueWedThuFriSat between 00:00 and 23:59 UTC"],
    ["", "9am", "5:30pm", "", "--------------------- between 09:00 and 17:30 UTC"],
    ["sa", "10pm", "2am", "utc", "------------------Sat between 22:00 and 02:00 utc"],
    ["1", "12am", "12pm", "Local", "---Mon--------------- between 00:00 and 12:00 Local"],
    ["su", "00:01am", "11:59pm", "europe/berlin", "Sun------------------ between 00:01 and 23:59 europe/berlin"],
  ])("%j %j %j %j → %s", (days, start, end, zone, expected) => {
    expect(window(days, start, end, zone).toString()).toBe(expected);
  });
});

describe("RebootWindow.parse", () => {
  it("keeps the parsed parts", () => {
    const w = window("mo,fr", "10pm", "2:30am", "Europe/Berlin");
    expect([...w.days]).toEqual([1, 5]);
    expect(w.start).toMatchObject({ hour: 22, minute: 0, second: 0 });
    expect(w.end).toMatchObject({ hour: 2, minute: 30, second: 0 });
    expect(w.timeZone.name).toBe("Europe/Berlin");
  });

  it("accepts the days as an array, as the flag parser gives them", () => {
    const w = RebootWindow.parse({ rebootDays: ["mo", "tu,we"], startTime: "0:00", endTime: "1", timeZone: "UTC" });
    expect(w.days.toString()).toBe("---MonTueWed---------");
  });

  it("reports the problems of all four inputs at once, each under its flag", () => {
    let caught: unknown;
    try {
      RebootWindow.parse({ rebootDays: "mon,xyz,9", startTime: "5 pm", endTime: "24:00", timeZone: "Mars/Base" });
    } catch (e) {
      caught = e;
    }
    expect(isKuredError(caught)).toBe(true);
    if (!isKuredError(caught)) return;
    expect(caught.code).toBe("KURED_ERR_CONFIG_INVALID");
    expect(caught.exitCode).toBe(2);
    expect(caught.problems.map((p) => [p.subject, p.value, p.message])).toEqual([
      ["--reboot-days", "xyz", "invalid weekday: xyz"],
      ["--reboot-days", "9", "invalid weekday, number out of range: 9"],
      ["--start-time", "5 pm", "invalid time format: 5 pm"],
      ["--end-time", "24:00", "invalid time format: 24:00"],
      ["--time-zone", "Mars/Base", "unknown time zone Mars/Base"],
    ]);
    expect(caught.problems.every((p) => typeof p.fix === "string" && p.fix.length > 0)).toBe(true);
    expect(caught.message).toContain("invalid time format: 24:00");
  });

  it("reports a single bad input with kured's message alone", () => {
    expect(() => RebootWindow.parse({ rebootDays: ALL_DAYS, startTime: "noon", endTime: "1", timeZone: "" })).toThrow(
      /^invalid time format: noon$/,
    );
  });
});
