import { describe, expect, it } from "vitest";
import { parseLabelAssignment } from "./label-assignment.js";
import { validateLabelKey, validateLabelValue } from "./label-validation.js";
import { LabelSelectorError } from "./selector-errors.js";

describe("validateLabelKey", () => {
  const valid = [
    "a",
    "A",
    "1",
    "app",
    "my.name",
    "123-abc",
    "a_b",
    "k".repeat(63),
    "example.com/name",
    "kured.dev/reboot-required",
    "a.b-c.d/x",
    "a".repeat(253) + "/x",
    "weave.works/kured-node-lock",
  ];
  it.each(valid)("accepts %j", (key) => expect(validateLabelKey(key)).toBeUndefined());

  const invalid: [string, string][] = [
    ["", "name part must not be empty"],
    ["-a", "name part must consist of"],
    ["a-", "name part must consist of"],
    [".a", "name part must consist of"],
    ["a b", "name part must consist of"],
    ["ä", "name part must consist of"],
    ["k".repeat(64), "name part must be at most 63 characters"],
    ["/a", "prefix part must not be empty"],
    ["a/", "name part must not be empty"],
    ["a/b/c", "optionally after a DNS subdomain prefix"],
    ["Example.com/a", "prefix part must be a DNS subdomain"],
    ["ex_ample.com/a", "prefix part must be a DNS subdomain"],
    ["-example.com/a", "prefix part must be a DNS subdomain"],
    ["a".repeat(254) + "/x", "prefix part must be at most 253 characters"],
  ];
  it.each(invalid)("rejects %j: %s", (key, message) => expect(validateLabelKey(key)).toContain(message));

  it("reports every problem of a key, joined by '; '", () => {
    expect(validateLabelKey("/")).toBe(
      "prefix part must not be empty; name part must not be empty; name part must consist of letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. 'app', 'my.name', 'tier-1')",
    );
  });
});

describe("validateLabelValue", () => {
  const valid = ["", "a", "MyValue", "my_value", "12345", "v1.2-rc_3", "v".repeat(63)];
  it.each(valid)("accepts %j", (value) => expect(validateLabelValue(value)).toBeUndefined());

  const invalid: [string, string][] = [
    ["-a", "a label value must be empty or consist of"],
    ["a_", "a label value must be empty or consist of"],
    ["a b", "a label value must be empty or consist of"],
    ["a/b", "a label value must be empty or consist of"],
    ["a=b", "a label value must be empty or consist of"],
    ["v".repeat(64), "must be at most 63 characters"],
  ];
  it.each(invalid)("rejects %j: %s", (value, message) => expect(validateLabelValue(value)).toContain(message));
});

describe("parseLabelAssignment", () => {
  const valid: [string, string, string][] = [
    ["kured=rebooting", "kured", "rebooting"],
    ["kured=", "kured", ""],
    ["example.com/state=ok", "example.com/state", "ok"],
    ["a=B_1.x-y", "a", "B_1.x-y"],
  ];
  it.each(valid)("%j → key %j, value %j", (s, key, value) => {
    expect(parseLabelAssignment(s)).toEqual({ key, value });
  });

  const invalid: [string, string][] = [
    ["kured", 'invalid label "kured": expected key=value'],
    ["", 'invalid label "": expected key=value'],
    ["=x", "the key before '=' is empty"],
    ["-a=b", 'key "-a": name part must consist of'],
    [" a=b", 'key " a": name part must consist of'],
    ["a=b=c", `value "b=c" contains '='`],
    ["a=-b", 'value "-b": a label value must be empty or consist of'],
    ["a=" + "v".repeat(64), "must be at most 63 characters"],
  ];
  it.each(invalid)("rejects %j: %s", (s, message) => {
    let thrown: unknown;
    try {
      parseLabelAssignment(s);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(LabelSelectorError);
    expect((thrown as LabelSelectorError).message).toContain(message);
    expect((thrown as LabelSelectorError).input).toBe(s);
  });
});
