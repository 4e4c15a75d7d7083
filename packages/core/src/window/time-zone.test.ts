import { afterEach, describe, expect, it } from "vitest";
import { isKuredError } from "../errors/kured-error.js";
import { TimeZone, loadTimeZone } from "./time-zone.js";

const ms = (iso: string) => Date.parse(iso);
const iso = (epochMs: number) => new Date(epochMs).toISOString();

describe("loadTimeZone: accepted names, shown as given (kured prints the name it was given)", () => {
  it.each([
    // [input, printed name, offset in January 2024 (s), offset in July 2024 (s)]
    ["", "UTC", 0, 0],
    ["UTC", "UTC", 0, 0],
    ["Europe/Berlin", "Europe/Berlin", 3600, 7200],
    ["America/Los_Angeles", "America/Los_Angeles", -28800, -25200],
    ["Australia/Lord_Howe", "Australia/Lord_Howe", 39600, 37800],
    ["Asia/Kolkata", "Asia/Kolkata", 19800, 19800],
    ["Pacific/Chatham", "Pacific/Chatham", 49500, 45900],
    ["Etc/GMT+5", "Etc/GMT+5", -18000, -18000],
    // legacy names Go finds in tzdata too
    ["EST", "EST", -18000, -18000],
    ["US/Pacific", "US/Pacific", -28800, -25200],
    ["Asia/Calcutta", "Asia/Calcutta", 19800, 19800],
    // superset of kured: any case, surrounding spaces
    ["utc", "utc", 0, 0],
    ["europe/berlin", "europe/berlin", 3600, 7200],
    [" Europe/London ", "Europe/London", 0, 3600],
  ])("%j prints as %j; offsets %d / %d", (input, name, winter, summer) => {
    const zone = loadTimeZone(input);
    expect(zone.name).toBe(name);
    expect(zone.toString()).toBe(name);
    expect(zone.offsetSecondsAt(ms("2024-01-15T12:00:00Z"))).toBe(winter);
    expect(zone.offsetSecondsAt(ms("2024-07-15T12:00:00Z"))).toBe(summer);
  });

  it("keeps the IANA id ICU resolved, for display name and lookups apart", () => {
    expect(loadTimeZone("america/los_angeles").id).toBe("America/Los_Angeles");
    expect(loadTimeZone("").id).toBe("UTC");
    expect(loadTimeZone("Etc/UTC").id).toBe("UTC");
  });

  describe("Local is the process's zone (Go's time.Local), printed as Local", () => {
    const saved = process.env["TZ"];
    afterEach(() => {
      if (saved === undefined) delete process.env["TZ"];
      else process.env["TZ"] = saved;
    });

    it.each(["Asia/Tokyo", "America/New_York"])("TZ=%s", (tz) => {
      process.env["TZ"] = tz;
      const zone = loadTimeZone("Local");
      expect([zone.name, zone.id]).toEqual(["Local", tz]);
    });
  });
});

describe("loadTimeZone: rejected names", () => {
  it.each(["Mars/Olympus_Mons", "Europe/Berlin/", "+05:00", "-0800", "UTC+1", "../../etc/passwd", "/etc/localtime"])(
    "%j → unknown time zone",
    (input) => {
      let caught: unknown;
      try {
        loadTimeZone(input);
      } catch (e) {
        caught = e;
      }
      expect(isKuredError(caught)).toBe(true);
      if (!isKuredError(caught)) return;
      expect(caught.code).toBe("KURED_ERR_CONFIG_INVALID");
      expect(caught.message).toBe(`unknown time zone ${input}`);
      expect(caught.problems).toEqual([
        expect.objectContaining({ subject: "--time-zone", value: input, message: `unknown time zone ${input}` }),
      ]);
    },
  );
});

describe("TimeZone.instantOf: a wall-clock time to an instant with Go's time.Date rules", () => {
  it.each([
    // [zone, wall clock, instant, why]
    ["UTC", "2024-06-03 12:00:00", "2024-06-03T12:00:00.000Z", "UTC"],
    ["Europe/Berlin", "2024-01-15 08:00:00", "2024-01-15T07:00:00.000Z", "plain CET"],
    ["Europe/Berlin", "2024-07-15 08:00:00", "2024-07-15T06:00:00.000Z", "plain CEST"],
    ["America/Los_Angeles", "2024-03-10 02:30:00", "2024-03-10T09:30:00.000Z", "gap, west: back to 01:30 PST"],
    ["America/Los_Angeles", "2024-03-10 02:00:00", "2024-03-10T09:00:00.000Z", "gap start, west: 01:00 PST"],
    ["America/Los_Angeles", "2024-03-10 03:00:00", "2024-03-10T10:00:00.000Z", "first wall time after the gap"],
    ["Europe/Berlin", "2024-03-31 02:30:00", "2024-03-31T01:30:00.000Z", "gap, east: on to 03:30 CEST"],
    ["Europe/London", "2024-03-31 01:30:00", "2024-03-31T01:30:00.000Z", "gap at offset 0: on to 02:30 BST"],
    ["Australia/Lord_Howe", "2024-10-06 02:15:00", "2024-10-05T15:45:00.000Z", "30-minute gap: on to 02:45"],
    ["America/Los_Angeles", "2024-11-03 01:30:00", "2024-11-03T08:30:00.000Z", "overlap, west: the PDT one"],
    ["Europe/Berlin", "2024-10-27 02:30:00", "2024-10-27T01:30:00.000Z", "overlap, east: the CET one"],
    ["Europe/London", "2024-10-27 01:30:00", "2024-10-27T01:30:00.000Z", "overlap at offset 0: the GMT one"],
    ["Australia/Lord_Howe", "2024-04-07 01:45:00", "2024-04-06T15:15:00.000Z", "30-minute overlap: the later one"],
    ["America/Santiago", "2024-09-08 00:00:00", "2024-09-08T03:00:00.000Z", "midnight in a gap: 23:00 the day before"],
    ["Europe/Berlin", "2024-01-32 00:00:00", "2024-01-31T23:00:00.000Z", "day 32 overflows into February"],
  ])("%s %s → %s (%s)", (zoneName, wall, expected) => {
    const [date = "", time = ""] = wall.split(" ");
    const [year = 0, month = 0, day = 0] = date.split("-").map(Number);
    const [hour = 0, minute = 0, second = 0] = time.split(":").map(Number);
    expect(iso(loadTimeZone(zoneName).instantOf({ year, month, day, hour, minute, second }))).toBe(expected);
  });

  it("handles years below 100 (Date.UTC would read them as 19xx)", () => {
    expect(iso(TimeZone.UTC.instantOf({ year: 50, month: 3, day: 1, hour: 0, minute: 0, second: 0 }))).toBe(
      "0050-03-01T00:00:00.000Z",
    );
  });
});

describe("TimeZone.localAt: an instant's wall clock and weekday in the zone", () => {
  it.each([
    ["UTC", "2024-06-03T00:00:00.000Z", "2024-6-3 0:0:0.0 weekday 1"],
    ["Asia/Tokyo", "2024-06-02T20:00:00.000Z", "2024-6-3 5:0:0.0 weekday 1"],
    ["America/Los_Angeles", "2024-06-03T03:00:00.250Z", "2024-6-2 20:0:0.250 weekday 0"],
    ["Europe/Berlin", "1890-01-01T00:00:00.000Z", "1890-1-1 0:53:28.0 weekday 3"],
    ["Europe/Berlin", "-000050-06-01T00:00:00.000Z", "-50-6-1 0:53:28.0 weekday 4"],
  ])("%s at %s → %s", (zoneName, instant, expected) => {
    const l = loadTimeZone(zoneName).localAt(ms(instant));
    expect(
      `${l.year}-${l.month}-${l.day} ${l.hour}:${l.minute}:${l.second}.${l.millisecond} weekday ${l.weekday}`,
    ).toBe(expected);
  });
});

describe("TimeZone.nextDateChange: when the local calendar date next changes", () => {
  it.each([
    ["UTC", "2024-06-03T12:34:56.789Z", "2024-06-04T00:00:00.000Z", "midnight"],
    ["UTC", "2024-06-03T23:59:59.999Z", "2024-06-04T00:00:00.000Z", "one millisecond before midnight"],
    ["UTC", "2024-06-04T00:00:00.000Z", "2024-06-05T00:00:00.000Z", "at midnight: the next one"],
    ["Europe/Berlin", "2024-06-03T12:00:00.000Z", "2024-06-03T22:00:00.000Z", "midnight CEST"],
    ["Europe/Berlin", "2024-03-30T12:00:00.000Z", "2024-03-30T23:00:00.000Z", "before the 23-hour day"],
    ["Europe/Berlin", "2024-03-31T00:00:00.000Z", "2024-03-31T22:00:00.000Z", "across spring forward"],
    ["Europe/Berlin", "2024-10-27T00:00:00.000Z", "2024-10-27T23:00:00.000Z", "across fall back"],
    ["America/Santiago", "2024-09-07T16:00:00.000Z", "2024-09-08T04:00:00.000Z", "midnight skipped: 01:00"],
    ["America/Goose_Bay", "2010-11-07T03:00:30.000Z", "2010-11-07T03:01:00.000Z", "00:01 back to 23:01 yesterday"],
    ["America/Goose_Bay", "2010-11-07T03:01:00.000Z", "2010-11-07T04:00:00.000Z", "then midnight again"],
    ["Australia/Lord_Howe", "2024-10-05T12:00:00.000Z", "2024-10-05T13:30:00.000Z", "midnight +10:30"],
  ])("%s from %s → %s (%s)", (zoneName, from, expected) => {
    expect(iso(loadTimeZone(zoneName).nextDateChange(ms(from)))).toBe(expected);
  });
});
