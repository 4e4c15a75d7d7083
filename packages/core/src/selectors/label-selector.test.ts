import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseLabelSelector, type LabelRequirement } from "./label-selector.js";
import { LabelSelectorError } from "./selector-errors.js";

describe("parseLabelSelector: accepted selectors and their canonical text", () => {
  // [input, toString() as apimachinery's String() writes it]
  const cases: [string, string][] = [
    ["", ""],
    ["   ", ""],
    ["x=a", "x=a"],
    ["x==a", "x==a"],
    ["x!=a", "x!=a"],
    ["x=a,y=b,z=c", "x=a,y=b,z=c"],
    ["z=c,y=b,x=a", "x=a,y=b,z=c"],
    ["x = a , y != b", "x=a,y!=b"],
    ["\tx=a,\n y=b\r", "x=a,y=b"],
    ["x=", "x="],
    ["x=,z= ", "x=,z="],
    ["x= ,z= ", "x=,z="],
    ["x", "x"],
    ["!x", "!x"],
    ["! x", "!x"],
    ["x,!y", "x,!y"],
    ["x in (a,b)", "x in (a,b)"],
    ["x in (b,a,b)", "x in (a,b)"],
    ["x notin (a,b)", "x notin (a,b)"],
    ["x in (a)", "x in (a)"],
    ["x in ()", "x in ()"],
    ["x in (,a)", "x in (,a)"],
    ["x in (a,)", "x in (,a)"],
    ["x in (a,,b)", "x in (,a,b)"],
    ["x in (,)", "x in ()"],
    ["x in ( a , b )", "x in (a,b)"],
    ["x in(a)", "x in (a)"],
    ["x in (in,notin)", "x in (in,notin)"],
    ["x=in", "x=in"],
    ["in", "in"],
    ["notin=x", "notin=x"],
    ["x>1", "x>1"],
    ["x<05", "x<05"],
    ["x>1,z<5", "x>1,z<5"],
    ["example.com/app=web", "example.com/app=web"],
    ["app.kubernetes.io/name in (kured, kured-ts)", "app.kubernetes.io/name in (kured,kured-ts)"],
    ["x in (a,b),y notin (c),!z,w", "w,x in (a,b),y notin (c),!z"],
    ["A_b.c-D=E_f.g-H", "A_b.c-D=E_f.g-H"],
    ["x=" + "v".repeat(63), "x=" + "v".repeat(63)],
    ["k".repeat(63), "k".repeat(63)],
    ["a".repeat(253) + "/n", "a".repeat(253) + "/n"],
  ];
  it.each(cases)("%j → %j", (input, canonical) => {
    const selector = parseLabelSelector(input);
    expect(selector.toString()).toBe(canonical);
    expect(parseLabelSelector(canonical).toString()).toBe(canonical);
  });

  it("returns requirements sorted by key with sorted, de-duplicated values", () => {
    const selector = parseLabelSelector("z notin (c,a,c), !y, x==1, w>3, v");
    const expected: LabelRequirement[] = [
      { key: "v", operator: "exists", values: [] },
      { key: "w", operator: "gt", values: ["3"] },
      { key: "x", operator: "==", values: ["1"] },
      { key: "y", operator: "!", values: [] },
      { key: "z", operator: "notin", values: ["a", "c"] },
    ];
    expect(selector.requirements).toEqual(expected);
  });

  it("treats an empty selector as everything", () => {
    expect(parseLabelSelector("").isEverything()).toBe(true);
    expect(parseLabelSelector(" ").isEverything()).toBe(true);
    expect(parseLabelSelector("x").isEverything()).toBe(false);
  });
});

describe("parseLabelSelector: rejected selectors", () => {
  // [input, a part of the message]
  const cases: [string, string][] = [
    ["x=a||y=b", 'values[0][x]: Invalid value: "a||y"'],
    ["x<-5", 'values[0][x]: Invalid value: "-5"'],
    ["x==a==b", "found '==', expected: ',' or 'end of string'"],
    ["!x=a", "found '=', expected: ',' or 'end of string'"],
    ["x=a,", "found '', expected: identifier after ','"],
    [",x=a", "found ',', expected: !, identifier, or 'end of string'"],
    ["=a", "found '=', expected: !, identifier, or 'end of string'"],
    ["x=a b", "found 'b', expected: ',' or 'end of string'"],
    ["x y", "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"],
    ["x in a", "unable to parse requirement: found 'a' expected: '('"],
    ["x in (a", "unable to parse requirement: found '', expected: ',' or ')'"],
    ["x in (a b)", "found 'b', expected: ',' or ')'"],
    ["x in (=)", "found '=', expected: ',', ')' or identifier"],
    ["x in (a,=)", "found '=', expected: ',', or identifier"],
    ["x in (a,,)", "found ')', expected: ',', or identifier"],
    ["x notin", "found '' expected: '('"],
    ["x=(", "found '(', expected: identifier"],
    ["!", "unable to parse requirement: found '', expected: identifier"],
    ["!!x", "found '!', expected: identifier"],
    ["x>a", "for 'gt', 'lt' operators, the value must be an integer"],
    ["x<1.5", "for 'gt', 'lt' operators, the value must be an integer"],
    ["x>", "for 'gt', 'lt' operators, the value must be an integer"],
    ["x>99999999999999999999", "for 'gt', 'lt' operators, the value must be an integer"],
    ["-x=a", 'unable to parse requirement: key: Invalid value: "-x": name part must consist of'],
    ["x-=a", "name part must consist of"],
    ["a/b/c=d", 'unable to parse requirement: key: Invalid value: "a/b/c"'],
    ["/x=a", "prefix part must not be empty"],
    ["x/=a", "name part must not be empty"],
    ["Example.com/x=a", "prefix part must be a DNS subdomain"],
    ["a".repeat(254) + "/n=a", `prefix part must be at most 253 characters`],
    ["k".repeat(64) + "=a", "name part must be at most 63 characters"],
    ["x=" + "v".repeat(64), 'values[0][x]: Invalid value: "' + "v".repeat(64) + '": must be at most 63 characters'],
    ["x=-a", 'values[0][x]: Invalid value: "-a"'],
    ["x=a_", "a label value must be empty or consist of"],
    ["x=ä", "a label value must be empty or consist of"],
    ["x in (a,-b)", 'values[0][x]: Invalid value: "-b"'],
  ];
  it.each(cases)("%j fails with %j", (input, message) => {
    let thrown: unknown;
    try {
      parseLabelSelector(input);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(LabelSelectorError);
    const error = thrown as LabelSelectorError;
    expect(error.message).toContain(message);
    expect(error.input).toBe(input);
    expect(error.name).toBe("LabelSelectorError");
  });

  it("reports every bad value of a set at once", () => {
    expect(() => parseLabelSelector("x in (-a,-b)")).toThrow(
      /^unable to parse requirement: \[values\[0\]\[x\].*, values\[1\]\[x\]/,
    );
  });
});

describe("LabelSelector.matches", () => {
  // [selector, labels, matches]
  const cases: [string, Record<string, string> | undefined, boolean][] = [
    ["", {}, true],
    ["", undefined, true],
    ["", { x: "y" }, true],
    ["x=y", { x: "y" }, true],
    ["x==y", { x: "y", z: "w" }, true],
    ["x=y", { x: "z" }, false],
    ["x=y", {}, false],
    ["x=y", undefined, false],
    ["x=", { x: "" }, true],
    ["x=", {}, false],
    ["x!=y", { x: "z" }, true],
    ["x!=y", {}, true],
    ["x!=y", undefined, true],
    ["x!=y", { x: "y" }, false],
    ["x", { x: "" }, true],
    ["x", { y: "x" }, false],
    ["!x", {}, true],
    ["!x", { x: "" }, false],
    ["x in (a,b)", { x: "a" }, true],
    ["x in (a,b)", { x: "b" }, true],
    ["x in (a,b)", { x: "c" }, false],
    ["x in (a,b)", {}, false],
    ["x in (,a)", { x: "" }, true],
    ["x in ()", { x: "" }, true],
    ["x notin (a,b)", { x: "c" }, true],
    ["x notin (a,b)", {}, true],
    ["x notin (a,b)", { x: "a" }, false],
    ["x>1", { x: "2" }, true],
    ["x>1", { x: "1" }, false],
    ["x>1", { x: "a" }, false],
    ["x>1", {}, false],
    ["x<1", { x: "-3" }, true],
    ["x<05", { x: "4" }, true],
    ["x<1", { x: "+0" }, true],
    ["x>0", { x: "9223372036854775807" }, true],
    ["x<9223372036854775807", { x: "-9223372036854775808" }, true],
    ["x>1", { x: "99999999999999999999" }, false],
    ["x=a,y=b", { x: "a", y: "b" }, true],
    ["x=a,y=b", { x: "a", y: "c" }, false],
    ["x=a,!y", { x: "a" }, true],
    ["x=a,!y", { x: "a", y: "" }, false],
    ["app in (kured),tier notin (db),!skip", { app: "kured", tier: "web" }, true],
    ["toString", {}, false],
    ["!constructor", {}, true],
  ];
  it.each(cases)("%j on %j → %s", (selector, labels, expected) => {
    expect(parseLabelSelector(selector).matches(labels)).toBe(expected);
  });
});

describe("LabelSelector properties", () => {
  const name = fc.stringMatching(/^[a-z0-9]([a-z0-9._-]{0,6}[a-z0-9])?$/);
  const key = fc.oneof(
    name,
    fc.tuple(fc.constantFrom("example.com", "kured.dev", "a.b-c"), name).map(([p, n]) => `${p}/${n}`),
  );
  const value = fc.oneof(fc.constant(""), name);
  const requirement = fc.oneof(
    fc.tuple(key, fc.constantFrom("=", "==", "!="), value).map(([k, op, v]) => `${k}${op}${v}`),
    // Kubernetes' own quirk: `(a,,)` is refused while `(,a)`, `(a,)` and `(a,,b)` are not, so empty values
    // are generated only in front; the tables above cover the other places.
    fc
      .tuple(key, fc.constantFrom("in", "notin"), fc.boolean(), fc.array(name, { minLength: 1, maxLength: 4 }))
      .map(([k, op, empty, vs]) => `${k} ${op} (${empty ? "," : ""}${vs.join(",")})`),
    fc.tuple(key, fc.constantFrom(">", "<"), fc.nat(1000)).map(([k, op, n]) => `${k}${op}${n}`),
    key,
    key.map((k) => `!${k}`),
  );
  const selector = fc.array(requirement, { maxLength: 5 }).map((rs) => rs.join(","));
  const labels = fc.dictionary(
    fc.oneof(key, fc.constantFrom("x", "example.com/x")),
    fc.oneof(value, fc.integer({ min: -1000, max: 1000 }).map(String)),
    { maxKeys: 5 },
  );

  it("toString() parses back to a selector with the same text and the same matches", () => {
    fc.assert(
      fc.property(selector, fc.array(labels, { minLength: 1, maxLength: 5 }), (text, labelSets) => {
        const parsed = parseLabelSelector(text);
        const reparsed = parseLabelSelector(parsed.toString());
        expect(reparsed.toString()).toBe(parsed.toString());
        expect(reparsed.requirements).toEqual(parsed.requirements);
        for (const l of labelSets) expect(reparsed.matches(l)).toBe(parsed.matches(l));
      }),
    );
  });

  it("a selector matches exactly when each of its requirements does (comma is AND)", () => {
    fc.assert(
      fc.property(fc.array(requirement, { minLength: 1, maxLength: 4 }), labels, (parts, l) => {
        const all = parseLabelSelector(parts.join(",")).matches(l);
        expect(all).toBe(parts.every((p) => parseLabelSelector(p).matches(l)));
      }),
    );
  });

  it("x!=v and x=v never agree; x notin (…) and x in (…) never agree", () => {
    fc.assert(
      fc.property(key, fc.array(name, { minLength: 1, maxLength: 3 }), labels, (k, vs, l) => {
        const v = vs[0] ?? "";
        expect(parseLabelSelector(`${k}!=${v}`).matches(l)).toBe(!parseLabelSelector(`${k}=${v}`).matches(l));
        const set = vs.join(",");
        expect(parseLabelSelector(`${k} notin (${set})`).matches(l)).toBe(
          !parseLabelSelector(`${k} in (${set})`).matches(l),
        );
      }),
    );
  });
});
