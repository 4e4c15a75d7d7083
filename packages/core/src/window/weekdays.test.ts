import { describe, expect, it } from "vitest";
import { isKuredError } from "../errors/kured-error.js";
import { Weekdays, parseWeekdays, type Weekday } from "./weekdays.js";

/** The problems a call throws, or fails the test if it does not throw a KuredError. */
function problemsOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (isKuredError(e)) return { code: e.code, message: e.message, problems: e.problems };
    throw e;
  }
  throw new Error("expected a KuredError");
}

describe("parseWeekdays: accepted --reboot-days, shown in kured's 7×3 display", () => {
  it.each<[string | readonly string[], string]>([
    ["su,mo,tu,we,th,fr,sa", "SunMonTueWedThuFriSat"],
    ["mon,tue,wed,thu,fri", "---MonTueWedThuFri---"],
    ["sunday,monday,tuesday,wednesday,thursday,friday,saturday", "SunMonTueWedThuFriSat"],
    ["Sunday,SATURDAY", "Sun---------------Sat"],
    ["TH,Thu,thURSday", "------------Thu------"],
    ["0,6", "Sun---------------Sat"],
    ["1,2,3,4,5", "---MonTueWedThuFri---"],
    ["+1", "---Mon---------------"],
    ["01", "---Mon---------------"],
    ["-0", "Sun------------------"],
    ["+0006", "------------------Sat"],
    ["mon,mon,1,Monday", "---Mon---------------"],
    ["", "---------------------"],
    [",,,", "---------------------"],
    ["mo,,tu,", "---MonTue------------"],
    // Go's strings.ToLower turns U+0130 into a plain "i": kured accepts this spelling
    ["fr\u0130day", "---------------Fri---"],
    // superset of kured: spaces around items are ignored
    [" mon, tue", "---MonTue------------"],
    ["\tfri \n", "---------------Fri---"],
    [" , ", "---------------------"],
    // arrays (pflag's string slice): each element is split on commas too
    [["mo,tu", "fr"], "---MonTue------Fri---"],
    [["sa"], "------------------Sat"],
    [[], "---------------------"],
    [["", "su"], "Sun------------------"],
  ])("%j → %s", (input, display) => {
    expect(parseWeekdays(input).toString()).toBe(display);
  });
});

describe("parseWeekdays: rejected items and kured's message for each", () => {
  it.each([
    ["7", "invalid weekday, number out of range: 7"],
    ["-8", "invalid weekday, number out of range: -8"],
    ["15", "invalid weekday, number out of range: 15"],
    ["+7", "invalid weekday, number out of range: +7"],
    ["-1", "invalid weekday, number out of range: -1"],
    // fits Go's int64: Atoi succeeds, the range check fails
    ["9223372036854775807", "invalid weekday, number out of range: 9223372036854775807"],
    // does not fit: Atoi fails, so kured looks it up as a name
    ["9223372036854775808", "invalid weekday: 9223372036854775808"],
    ["xyz", "invalid weekday: xyz"],
    ["mond", "invalid weekday: mond"],
    ["m", "invalid weekday: m"],
    ["+", "invalid weekday: +"],
    ["1.0", "invalid weekday: 1.0"],
    ["0x1", "invalid weekday: 0x1"],
    ["1_0", "invalid weekday: 1_0"],
    ["mon tue", "invalid weekday: mon tue"],
    ["mon;tue", "invalid weekday: mon;tue"],
  ])("%j → %s", (input, message) => {
    const error = problemsOf(() => parseWeekdays(input));
    expect(error.code).toBe("KURED_ERR_CONFIG_INVALID");
    expect(error.message).toBe(message);
    expect(error.problems).toEqual([
      {
        subject: "--reboot-days",
        value: input,
        message,
        fix: "use day names (mon, tue…) or numbers 0-6 (0 = Sunday), comma-separated",
      },
    ]);
  });

  it("reports every bad item, not only the first, under the flag the caller names", () => {
    const error = problemsOf(() => parseWeekdays(["xyz,mon", " 9 "], { flag: "KURED_REBOOT_DAYS" }));
    expect(error.problems.map((p) => [p.subject, p.value, p.message])).toEqual([
      ["KURED_REBOOT_DAYS", "xyz", "invalid weekday: xyz"],
      ["KURED_REBOOT_DAYS", "9", "invalid weekday, number out of range: 9"],
    ]);
    expect(error.message).toBe("invalid weekday: xyz; invalid weekday, number out of range: 9");
  });
});

describe("Weekdays", () => {
  const weekend = parseWeekdays("sa,su");

  it("has() is true only for days in the set, and false for non-weekday numbers", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((d) => weekend.has(d))).toEqual([true, false, false, false, false, false, true]);
    expect([7, -1, 0.5, Number.NaN].map((d) => weekend.has(d))).toEqual([false, false, false, false]);
  });

  it("size counts distinct days", () => {
    expect([weekend.size, parseWeekdays("mo,1,monday").size, Weekdays.NONE.size, Weekdays.ALL.size]).toEqual([
      2, 1, 0, 7,
    ]);
  });

  it("values() and iteration give the days Sunday first, whatever the input order", () => {
    expect([...parseWeekdays("sa,we,su").values()]).toEqual([0, 3, 6]);
    expect([...parseWeekdays("fr,mo")]).toEqual([1, 5]);
  });

  it("of() builds the same set as parsing", () => {
    const days: Weekday[] = [1, 2, 3, 4, 5];
    expect(Weekdays.of(days).toString()).toBe(parseWeekdays("mon,tue,wed,thu,fri").toString());
  });
});
