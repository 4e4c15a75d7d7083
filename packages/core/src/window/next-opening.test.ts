import { describe, expect, it } from "vitest";
import { RebootWindow } from "./reboot-window.js";

const ALL_DAYS = "su,mo,tu,we,th,fr,sa";

// 2024-06-03 is a Monday.
describe("RebootWindow.nextOpening: the first instant at or after `after` inside the window", () => {
  it.each([
    // [days, start, end, zone, after, expected opening, why]
    [
      "mo,tu,we,th,fr",
      "9:00",
      "17:00",
      "UTC",
      "2024-06-03T12:00:00.000Z",
      "2024-06-03T12:00:00.000Z",
      "inside: itself",
    ],
    ["mo,tu,we,th,fr", "9:00", "17:00", "UTC", "2024-06-03T08:59:59.999Z", "2024-06-03T09:00:00.000Z", "1 ms early"],
    ["mo,tu,we,th,fr", "9:00", "17:00", "UTC", "2024-06-07T17:00:00.999Z", "2024-06-07T17:00:00.999Z", "last ms"],
    ["mo,tu,we,th,fr", "9:00", "17:00", "UTC", "2024-06-07T17:00:01.000Z", "2024-06-10T09:00:00.000Z", "weekend"],
    ["mo,tu,we,th,fr", "9:00", "17:00", "UTC", "2024-06-08T10:00:00.000Z", "2024-06-10T09:00:00.000Z", "Saturday"],
    [ALL_DAYS, "12:00", "12:00", "UTC", "2024-06-03T12:00:01.000Z", "2024-06-04T12:00:00.000Z", "one-second window"],
    [ALL_DAYS, "12:00", "12:00", "UTC", "2024-06-03T11:00:00.000Z", "2024-06-03T12:00:00.000Z", "one-second, today"],
    [
      "fr",
      "22:00",
      "02:00",
      "UTC",
      "2024-06-06T23:00:00.000Z",
      "2024-06-07T00:00:00.000Z",
      "day filter opens at midnight",
    ],
    ["fr", "22:00", "02:00", "UTC", "2024-06-07T02:00:01.000Z", "2024-06-07T22:00:00.000Z", "Friday evening"],
    ["fr", "22:00", "02:00", "UTC", "2024-06-08T00:30:00.000Z", "2024-06-14T00:00:00.000Z", "Saturday: next Friday"],
    ["fr", "22:00", "02:00", "UTC", "2024-06-07T23:59:59.999Z", "2024-06-07T23:59:59.999Z", "last ms of Friday"],
    [
      "mon,tue,wed,fri",
      "11:59pm",
      "00:01am",
      "UTC",
      "2024-06-06T23:58:00.000Z",
      "2024-06-07T00:00:00.000Z",
      "upstream",
    ],
    [
      "mon,tue,wed,fri",
      "11:59pm",
      "00:01am",
      "UTC",
      "2024-06-06T00:00:30.000Z",
      "2024-06-07T00:00:00.000Z",
      "Thursday",
    ],
    ["mon,tue,wed,fri", "11:59pm", "00:01am", "UTC", "2024-06-08T00:00:00.000Z", "2024-06-10T00:00:00.000Z", "weekend"],
    [
      "fr",
      "22:00",
      "02:00",
      "America/Los_Angeles",
      "2024-06-07T06:00:00.000Z",
      "2024-06-07T07:00:00.000Z",
      "PDT midnight",
    ],
    ["mon", "0:00", "23:59:59", "Asia/Tokyo", "2024-06-02T12:00:00.000Z", "2024-06-02T15:00:00.000Z", "JST Monday"],
    [
      ALL_DAYS,
      "02:30",
      "03:30",
      "America/Los_Angeles",
      "2024-03-10T08:00:00.000Z",
      "2024-03-10T09:30:00.000Z",
      "gap: 01:30 PST",
    ],
    [
      ALL_DAYS,
      "02:30",
      "03:15",
      "Europe/Berlin",
      "2024-03-30T23:00:00.000Z",
      "2024-04-01T00:30:00.000Z",
      "empty on DST day",
    ],
    [
      ALL_DAYS,
      "22:00",
      "0:30",
      "Europe/Berlin",
      "2024-10-27T22:31:00.000Z",
      "2024-10-27T23:00:00.000Z",
      "Add(24h) end",
    ],
    [
      ALL_DAYS,
      "23:30",
      "1:00",
      "Europe/Berlin",
      "2024-10-26T22:00:00.000Z",
      "2024-10-26T22:30:00.000Z",
      "Add(-24h) start",
    ],
    [
      "su",
      "0:00",
      "23:59:59",
      "America/Santiago",
      "2024-09-07T16:00:00.000Z",
      "2024-09-08T04:00:00.000Z",
      "no midnight",
    ],
    [
      ALL_DAYS,
      "2:00",
      "2:20",
      "Australia/Lord_Howe",
      "2024-10-05T14:30:00.000Z",
      "2024-10-05T15:30:00.000Z",
      "30-min gap",
    ],
    // Goose Bay fell back at 00:01 ADT to 23:01 AST on Saturday: the repeated Saturday hour does
    // not reopen the window, whose Saturday bounds were fixed by the first pass
    [
      "sa",
      "23:30",
      "23:45",
      "America/Goose_Bay",
      "2010-11-07T02:46:00.000Z",
      "2010-11-14T03:30:00.000Z",
      "repeated day",
    ],
  ])("%s %s–%s %s from %s → %s (%s)", (days, start, end, zone, after, expected) => {
    const w = RebootWindow.parse({ rebootDays: days, startTime: start, endTime: end, timeZone: zone });
    const opening = w.nextOpening(new Date(after));
    expect(opening?.toISOString()).toBe(expected);
    // exact: contained there, and not one millisecond earlier unless that is before `after`
    expect(w.contains(opening!)).toBe(true);
    if (opening!.getTime() > Date.parse(after)) expect(w.contains(new Date(opening!.getTime() - 1))).toBe(false);
  });

  it.each(["", ",,,", " , "])("never opens with the empty day set %j", (days) => {
    const w = RebootWindow.parse({ rebootDays: days, startTime: "0:00", endTime: "23:59:59", timeZone: "UTC" });
    expect(w.nextOpening(new Date("2024-06-03T00:00:00Z"))).toBeUndefined();
  });

  it("throws on an invalid Date", () => {
    const w = RebootWindow.parse({ rebootDays: ALL_DAYS, startTime: "0:00", endTime: "1", timeZone: "UTC" });
    expect(() => w.nextOpening(new Date(Number.NaN))).toThrow(RangeError);
  });
});
