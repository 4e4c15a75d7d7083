import { compileGoRegexp } from "@kured/core";
import { describe, expect, it } from "vitest";
import { activeAlertNames } from "./alert-filter.js";
import { activeAlertsMessage } from "./prometheus-alert-blocker.js";
import type { Sample } from "./query-result.js";

const alert = (name: string, state: "firing" | "pending", value = 1): Sample => ({
  labels: { __name__: "ALERTS", alertname: name, alertstate: state },
  value,
});

// One firing, one pending, two zero-valued (firing and pending), and a sample without a name.
const SAMPLES: Sample[] = [
  alert("DiskFiring", "firing"),
  alert("DiskPending", "pending"),
  alert("ZeroFiring", "firing", 0),
  alert("ZeroPending", "pending", 0),
  { labels: { __name__: "ALERTS", alertstate: "firing" }, value: 1 },
];

const NONE = undefined;
const UNANCHORED = "Firing"; // matches DiskFiring and ZeroFiring anywhere in the name
const ANCHORED = "^Firing$"; // matches no name
const BOTH = "^(DiskFiring|DiskPending)$";

describe("activeAlertNames: kured's filter truth table", () => {
  it.each<[string | undefined, boolean, boolean, string[]]>([
    // regexp, --alert-filter-match-only, --alert-firing-only, expected
    [NONE, false, false, ["DiskFiring", "DiskPending"]],
    [NONE, false, true, ["DiskFiring"]],
    [NONE, true, false, ["DiskFiring", "DiskPending"]],
    [NONE, true, true, ["DiskFiring"]],
    [UNANCHORED, false, false, ["DiskPending"]],
    [UNANCHORED, false, true, []],
    [UNANCHORED, true, false, ["DiskFiring"]],
    [UNANCHORED, true, true, ["DiskFiring"]],
    [ANCHORED, false, false, ["DiskFiring", "DiskPending"]],
    [ANCHORED, false, true, ["DiskFiring"]],
    [ANCHORED, true, false, []],
    [ANCHORED, true, true, []],
    [BOTH, false, false, []],
    [BOTH, false, true, []],
    [BOTH, true, false, ["DiskFiring", "DiskPending"]],
    [BOTH, true, true, ["DiskFiring"]],
  ])("regexp %s, match-only %s, firing-only %s → %j", (pattern, matchOnly, firingOnly, expected) => {
    const regexp = pattern === undefined ? undefined : compileGoRegexp(pattern);
    expect(activeAlertNames(SAMPLES, { regexp, matchOnly, firingOnly })).toEqual(expected);
  });

  it.each<[string, boolean]>([
    ["Zero", true],
    ["Zero", false],
    ["", true],
  ])("never counts zero-valued samples (regexp %j, match-only %s)", (pattern, matchOnly) => {
    const zeros = SAMPLES.filter((s) => s.value === 0);
    expect(activeAlertNames(zeros, { regexp: compileGoRegexp(pattern), matchOnly, firingOnly: false })).toEqual([]);
  });

  it("counts NaN samples, as Go's value != 0 does", () => {
    expect(activeAlertNames([alert("Odd", "firing", Number.NaN)], { matchOnly: false, firingOnly: false })).toEqual([
      "Odd",
    ]);
  });

  it("de-duplicates names and sorts them by bytes, as Go's sort.Strings", () => {
    const samples = ["b", "B", "a", "b", "é", "\u{1F600}", "\uFF5E"].map((n) => alert(n, "firing"));
    expect(activeAlertNames(samples, { matchOnly: false, firingOnly: false })).toEqual([
      "B",
      "a",
      "b",
      "é",
      "\uFF5E",
      "\u{1F600}",
    ]);
  });

  it("treats an alert without alertstate as not firing", () => {
    const samples: Sample[] = [{ labels: { alertname: "NoState" }, value: 1 }];
    expect(activeAlertNames(samples, { matchOnly: false, firingOnly: true })).toEqual([]);
    expect(activeAlertNames(samples, { matchOnly: false, firingOnly: false })).toEqual(["NoState"]);
  });
});

describe("activeAlertsMessage", () => {
  const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `A${String(i).padStart(2, "0")}`);

  it.each<[number, string]>([
    [1, "1 active alerts: [A00]"],
    [2, "2 active alerts: [A00 A01]"],
    [10, "10 active alerts: [A00 A01 A02 A03 A04 A05 A06 A07 A08 A09]"],
    [11, "11 active alerts: [A00 A01 A02 A03 A04 A05 A06 A07 A08 A09 ...]"],
    [25, "25 active alerts: [A00 A01 A02 A03 A04 A05 A06 A07 A08 A09 ...]"],
  ])("names %i alerts as kured does", (n, expected) => {
    expect(activeAlertsMessage(names(n))).toBe(expected);
  });
});
