import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isKuredError } from "../errors/kured-error.js";
import { compareTimeOfDay, formatHourMinute, parseTimeOfDay } from "./time-of-day.js";

/** `H:M:S` (and `.nanoseconds` when not 0) of a parsed time, for compact tables. */
function hms(input: string): string {
  const t = parseTimeOfDay(input);
  const ns = t.nanosecond ? `.${t.nanosecond}` : "";
  return `${t.hour}:${t.minute}:${t.second}${ns}`;
}

describe("parseTimeOfDay: what kured accepts (spec §i), and what it means", () => {
  it.each([
    ["0:00", "0:0:0"],
    ["00:00", "0:0:0"],
    ["7", "7:0:0"],
    ["0", "0:0:0"],
    ["00", "0:0:0"],
    ["17", "17:0:0"],
    ["23", "23:0:0"],
    ["17:00", "17:0:0"],
    ["09:05", "9:5:0"],
    ["23:59", "23:59:0"],
    ["17:00:00", "17:0:0"],
    ["23:59:59", "23:59:59"],
    ["5:00:00", "5:0:0"],
    ["1:02:03", "1:2:3"],
    ["9am", "9:0:0"],
    ["09am", "9:0:0"],
    ["5pm", "17:0:0"],
    ["10pm", "22:0:0"],
    ["05:00pm", "17:0:0"],
    ["05:30pm", "17:30:0"],
    ["11:30am", "11:30:0"],
    ["00:01am", "0:1:0"],
    ["12:30am", "0:30:0"],
    ["12:59pm", "12:59:0"],
    ["00:30pm", "12:30:0"],
    ["12am", "0:0:0"],
    ["12pm", "12:0:0"],
    ["0am", "0:0:0"],
    ["0pm", "12:0:0"],
    ["00pm", "12:0:0"],
    // Go's 15:04:05 layout silently takes a fractional second after the seconds
    ["17:00:00.5", "17:0:0.500000000"],
    ["17:00:00,123", "17:0:0.123000000"],
    ["17:00:00.1234567891", "17:0:0.123456789"],
  ])("%j → %s", (input, expected) => {
    expect(hms(input)).toBe(expected);
  });
});

describe("parseTimeOfDay: superset of kured (what its docs promise)", () => {
  it.each([
    ["5:00pm", "17:0:0"],
    ["5:30pm", "17:30:0"],
    ["9:15am", "9:15:0"],
    ["0:15am", "0:15:0"],
    ["5PM", "17:0:0"],
    ["12AM", "0:0:0"],
    ["5:00PM", "17:0:0"],
    ["05:30AM", "5:30:0"],
    ["11:59PM", "23:59:0"],
    [" 17:00 ", "17:0:0"],
    ["\t5pm\n", "17:0:0"],
    ["  23:59:59", "23:59:59"],
  ])("%j → %s", (input, expected) => {
    expect(hms(input)).toBe(expected);
  });
});

describe("parseTimeOfDay: rejected, as kured rejects them", () => {
  it.each([
    "5 pm",
    "5 PM",
    "24:00",
    "24",
    "23:60",
    "23:59:60",
    "17:5",
    "1:2",
    "13pm",
    "13:00pm",
    "05:00:00pm",
    "noon",
    "",
    "   ",
    "007",
    "123",
    "1700",
    "17:00:0",
    "17:00:00.",
    "17:00.5",
    "+5",
    "-1",
    "5p",
    "5Pm",
    "5pM",
    "17h",
    "5.30pm",
    "\u0661\u0667:\u0660\u0660",
  ])("%j", (input) => {
    let caught: unknown;
    try {
      parseTimeOfDay(input, { flag: "--end-time" });
    } catch (e) {
      caught = e;
    }
    expect(isKuredError(caught)).toBe(true);
    if (!isKuredError(caught)) return;
    expect(caught.code).toBe("KURED_ERR_CONFIG_INVALID");
    expect(caught.message).toBe(`invalid time format: ${input}`);
    expect(caught.problems).toHaveLength(1);
    expect(caught.problems[0]).toMatchObject({
      subject: "--end-time",
      value: input,
      message: `invalid time format: ${input}`,
    });
    expect(caught.problems[0]?.fix).toMatch(/5pm/);
  });
});

describe("parseTimeOfDay: properties", () => {
  const hour = fc.integer({ min: 0, max: 23 });
  const minute = fc.integer({ min: 0, max: 59 });
  const pad = (n: number) => String(n).padStart(2, "0");
  const clock12 = (h: number) => (h % 12 === 0 ? 12 : h % 12);

  it("every time of day reads back the same in each 24-hour layout", () => {
    fc.assert(
      fc.property(hour, minute, fc.integer({ min: 0, max: 59 }), (h, m, s) => {
        expect(hms(`${h}:${pad(m)}`)).toBe(`${h}:${m}:0`);
        expect(hms(`${pad(h)}:${pad(m)}`)).toBe(`${h}:${m}:0`);
        expect(hms(`${h}:${pad(m)}:${pad(s)}`)).toBe(`${h}:${m}:${s}`);
        expect(hms(`${h}`)).toBe(`${h}:0:0`);
      }),
    );
  });

  it("every time of day reads back the same in each 12-hour layout", () => {
    fc.assert(
      fc.property(hour, minute, (h, m) => {
        const suffix = h < 12 ? "am" : "pm";
        expect(hms(`${pad(clock12(h))}:${pad(m)}${suffix}`)).toBe(`${h}:${m}:0`);
        expect(hms(`${clock12(h)}:${pad(m)}${suffix.toUpperCase()}`)).toBe(`${h}:${m}:0`);
        expect(hms(`${clock12(h)}${suffix}`)).toBe(`${h}:0:0`);
      }),
    );
  });
});

describe("helpers", () => {
  it("formatHourMinute prints HH:MM without seconds, as kured's String()", () => {
    expect(["0:00", "9am", "23:59:59", "5:30pm"].map((s) => formatHourMinute(parseTimeOfDay(s)))).toEqual([
      "00:00",
      "09:00",
      "23:59",
      "17:30",
    ]);
  });

  it("compareTimeOfDay orders by hour, minute, second, then the fraction kured keeps", () => {
    const order = ["0:00", "0:00:00.1", "0:00:01", "0:01", "1", "23:59:59", "23:59:59.999"].map((s) =>
      parseTimeOfDay(s),
    );
    for (let i = 1; i < order.length; i++) {
      expect(compareTimeOfDay(order[i - 1]!, order[i]!)).toBeLessThan(0);
      expect(compareTimeOfDay(order[i]!, order[i - 1]!)).toBeGreaterThan(0);
    }
    expect(compareTimeOfDay(parseTimeOfDay("17:00"), parseTimeOfDay("5pm"))).toBe(0);
  });
});
