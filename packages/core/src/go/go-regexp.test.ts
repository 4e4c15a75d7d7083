import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GoParseError } from "./go-parse-error.js";
import { compileGoRegexp } from "./go-regexp.js";

/** Go's regexp.QuoteMeta. */
const quoteMeta = (s: string): string => s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`);

describe("compileGoRegexp: matching as Go's MatchString", () => {
  // [pattern, input, Go's regexp.MustCompile(pattern).MatchString(input)]
  const cases: [string, string, boolean][] = [
    ["", "", true],
    ["", "anything", true],
    ["abc", "xxabcxx", true],
    ["abc", "ab", false],
    // `.` excludes only \n, unlike JS's `.`, which also excludes \r, U+2028 and U+2029
    ["a.c", "abc", true],
    ["a.c", "a\nc", false],
    ["a.c", "a\rc", true],
    ["a.c", "a\u2028c", true],
    ["(?s)a.c", "a\nc", true],
    ["(?s:a.)c", "a\nc", true],
    ["(?s:a).c", "a\nc", false],
    ["^.$", "😀", true],
    // anchors: ^ and $ at the text ends; (?m) makes them line anchors for \n only
    ["^abc$", "abc", true],
    ["^abc$", "abc\n", false],
    ["^abc$", "xabc", false],
    ["(?m)^b$", "a\nb\nc", true],
    ["(?m)^b$", "a\rb\rc", false],
    ["(?m)^b$", "a\u2028b\u2028c", false],
    ["(?m)a$", "a\n", true],
    ["(?m:^b)", "a\nb", true],
    ["(?m)^b(?-m)$", "a\nb\nc", false],
    ["\\Aabc\\z", "abc", true],
    ["\\Aabc\\z", "abc\n", false],
    ["(?m)\\Ab", "a\nb", false],
    ["^*a", "a", true],
    ["$*a", "a", true],
    // case folding, scoped as in Go
    ["(?i)hello", "HeLLo", true],
    ["(?i)σ", "Σ", true],
    ["(?i)[a-c]+", "ABC", true],
    ["a(?i)b|c", "aB", true],
    ["a(?i)b|c", "C", true],
    ["a(?i)b|c", "AB", false],
    ["(?i:a)b", "Ab", true],
    ["(?i:a)b", "AB", false],
    ["(?i)a(?-i)b", "Ab", true],
    ["(?i)a(?-i)b", "AB", false],
    ["(a(?i)b)c", "aBc", true],
    ["(a(?i)b)c", "aBC", false],
    ["x(?i:[a-z])", "xQ", true],
    ["(?i)\\pL", "A", true],
    // classes
    ["[[:alpha:]]+", "abc", true],
    ["^[[:alpha:]]+$", "ab1", false],
    ["[[:^digit:]]", "1", false],
    ["[[:^digit:]]", "a", true],
    ["^[[:punct:]]+$", "!-/:@[`{~", true],
    ["[[:space:]]", "\v", true],
    ["\\s", "\v", false],
    ["\\s", "\f", true],
    ["\\s", "\u00a0", false],
    ["[\\s]", "\u2003", false],
    ["[^\\s]", "\u2003", true],
    ["[\\S]", "\v", true],
    ["[\\S]", " ", false],
    ["\\d", "\u0663", false],
    ["\\D", "\u0663", true],
    ["\\w", "é", false],
    ["[\\W\\d]", "5", true],
    ["\\pL", "é", true],
    ["\\pL", "1", false],
    ["\\p{L}", "ж", true],
    ["\\PL", "1", true],
    ["\\p{Greek}", "α", true],
    ["\\p{Greek}", "a", false],
    ["\\p{^Greek}", "a", true],
    ["\\P{^Greek}", "α", true],
    ["[\\p{Han}\\d]", "日", true],
    ["[^\\p{Lu}]", "A", false],
    ["\\p{Lu}", "a", false],
    ["\\p{Any}", "😀", true],
    ["\\p{Nd}", "\u0663", true],
    ["[]a]", "]", true],
    ["[^]a]", "b", true],
    ["[^]a]", "]", false],
    ["[a-]", "-", true],
    ["[-a]", "-", true],
    ["[a-b-c]", "-", true],
    ["[^a]", "\n", true],
    ["[\\x00-\\x{10FFFF}]", "😀", true],
    ["[a\\]]", "]", true],
    ["[\\[]", "[", true],
    ["[\\^]", "^", true],
    ["[\\-]", "-", true],
    ["[\\x41-\\x43]+", "ABC", true],
    ["[\\n]", "\n", true],
    // word boundaries (ASCII)
    ["\\bfoo\\b", "a foo b", true],
    ["\\bfoo\\b", "afoob", false],
    ["\\Bfoo", "afoo", true],
    ["é\\b", "é", false],
    // escapes and literals
    ["\\Qa.b\\E", "a.b", true],
    ["\\Qa.b\\E", "axb", false],
    ["\\Qa.b", "a.b", true],
    ["\\Q*+?{[\\E", "*+?{[", true],
    ["\\x41", "A", true],
    ["\\x{1F600}", "😀", true],
    ["\\101", "A", true],
    ["\\0", "\u0000", true],
    ["\\12", "\n", true],
    ["\\a\\f\\t\\n\\r\\v", "\u0007\f\t\n\r\v", true],
    ["\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\\\/\\-\\_\\ \\#\\@\\!\\~", ".*+?()[]{}|^$\\/-_ #@!~", true],
    ["a{,2}", "a{,2}", true],
    ["a{", "a{", true],
    ["a{1", "a{1", true],
    ["a{1,", "a{1,", true],
    ["a{01}", "a{01}", true],
    ["}", "}", true],
    ["]", "]", true],
    ["/", "/", true],
    ["a/b", "a/b", true],
    // repetition
    ["^a{2}$", "aa", true],
    ["^a{2}$", "aaa", false],
    ["^a{2,}$", "aaaa", true],
    ["^a{2,3}$", "aaaa", false],
    ["^a{0}$", "", true],
    ["^(?:ab)+$", "ababab", true],
    ["^(ab)*$", "", true],
    ["^a?b+$", "bbb", true],
    ["^a{1000}$", "a".repeat(1000), true],
    ["a*(?i)*", "", true],
    ["^(a*)*$", "aaa", true],
    // alternation and groups
    ["^(Watchdog|InfoInhibitor)$", "Watchdog", true],
    ["^(Watchdog|InfoInhibitor)$", "WatchdogX", false],
    ["a|", "zzz", true],
    ["|a", "zzz", true],
    ["()", "x", true],
    ["(|a)b", "b", true],
    ["^(?P<first>\\w+) (?<last>\\w+)$", "Ada Lovelace", true],
    ["(?P<1x>a)", "a", true],
    ["(?P<x>a)(?P<x>b)", "ab", true],
    ["(?)a", "a", true],
  ];
  it.each(cases)("%j on %j → %s", (pattern, input, expected) => {
    expect(compileGoRegexp(pattern).test(input)).toBe(expected);
  });

  it("returns a non-global RegExp with the u flag, reusable without lastIndex surprises", () => {
    const re = compileGoRegexp("a");
    expect(re.flags).toBe("u");
    expect(re.test("a")).toBe(true);
    expect(re.test("a")).toBe(true);
    expect(compileGoRegexp("(?i)abc").flags).toBe("iu");
    expect(compileGoRegexp("(?i)abc").source).toBe("abc");
  });

  it("flips greediness under (?U), as Go", () => {
    expect(compileGoRegexp("(?U)a+").exec("aaa")?.[0]).toBe("a");
    expect(compileGoRegexp("(?U)a+?").exec("aaa")?.[0]).toBe("aaa");
    expect(compileGoRegexp("(?U:a+)a*").exec("aaa")?.[0]).toBe("aaa");
    expect(compileGoRegexp("a+?").exec("aaa")?.[0]).toBe("a");
    expect(compileGoRegexp("a{2,3}?").exec("aaa")?.[0]).toBe("aa");
  });

  it("keeps named groups JS can name, and leaves the others as plain captures", () => {
    expect(compileGoRegexp("(?P<first>\\w+) (?<last>\\w+)").exec("Ada Lovelace")?.groups).toEqual({
      first: "Ada",
      last: "Lovelace",
    });
    const m = compileGoRegexp("(?P<x>a)(?P<x>b)(?P<1y>c)").exec("abc");
    expect(m?.groups).toEqual({ x: "a" });
    expect([...(m ?? [])]).toEqual(["abc", "a", "b", "c"]);
  });
});

describe("compileGoRegexp: what Go refuses, with Go's messages", () => {
  // [pattern, message]
  const cases: [string, string][] = [
    ["(", "missing closing ): `(`"],
    [")", "unexpected ): `)`"],
    ["(a", "missing closing ): `(a`"],
    ["a)", "unexpected ): `a)`"],
    ["(a))", "unexpected ): `(a))`"],
    ["(a|b|", "missing closing ): `(a|b|`"],
    ["a|b|)", "unexpected ): `a|b|)`"],
    ["[a-z", "missing closing ]: `[a-z`"],
    ["([a-z)", "missing closing ]: `[a-z)`"],
    ["[a-z)", "missing closing ]: `[a-z)`"],
    ["[]", "missing closing ]: `[]`"],
    ["[^]", "missing closing ]: `[^]`"],
    ["[[:alpha:]", "missing closing ]: `[[:alpha:]`"],
    ["x{1001}", "invalid repeat count: `{1001}`"],
    ["x{9876543210}", "invalid repeat count: `{9876543210}`"],
    ["x{2,1}", "invalid repeat count: `{2,1}`"],
    ["x{1,9876543210}", "invalid repeat count: `{1,9876543210}`"],
    ["a{100000}", "invalid repeat count: `{100000}`"],
    ["a{100000,}", "invalid repeat count: `{100000,}`"],
    ["((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}){2})", "invalid repeat count: `{2}`"],
    ["(a{100}){100}", "invalid repeat count: `{100}`"],
    ["(?P<name>a", "missing closing ): `(?P<name>a`"],
    ["(?P<name>", "missing closing ): `(?P<name>`"],
    ["(?P<name", "invalid named capture: `(?P<name`"],
    ["(?P<x y>a)", "invalid named capture: `(?P<x y>`"],
    ["(?P<>a)", "invalid named capture: `(?P<>`"],
    ["(?<name", "invalid named capture: `(?<name`"],
    ["(?<x-y>a)", "invalid named capture: `(?<x-y>`"],
    ["[a-Z]", "invalid character class range: `a-Z`"],
    ["(?i)[a-Z]", "invalid character class range: `a-Z`"],
    ["[z-a]", "invalid character class range: `z-a`"],
    ["[[:foo:]]", "invalid character class range: `[:foo:]`"],
    ["\\p{Foo}", "invalid character class range: `\\p{Foo}`"],
    ["\\pX", "invalid character class range: `\\pX`"],
    ["\\p{L", "invalid character class range: `\\p{L`"],
    ["\\p", "invalid character class range: `\\p`"],
    ["[\\p{Foo}]", "invalid character class range: `\\p{Foo}`"],
    ["\\Q\\E*", "missing argument to repetition operator: `*`"],
    ["*", "missing argument to repetition operator: `*`"],
    ["+a", "missing argument to repetition operator: `+`"],
    ["?", "missing argument to repetition operator: `?`"],
    ["{2}", "missing argument to repetition operator: `{2}`"],
    ["a|*", "missing argument to repetition operator: `*`"],
    ["(*)", "missing argument to repetition operator: `*`"],
    ["(?i)*", "missing argument to repetition operator: `*`"],
    ["a**", "invalid nested repetition operator: `**`"],
    ["a*+", "invalid nested repetition operator: `*+`"],
    ["a++", "invalid nested repetition operator: `++`"],
    ["a?*", "invalid nested repetition operator: `?*`"],
    ["a*??", "invalid nested repetition operator: `*??`"],
    ["a{2}{3}", "invalid nested repetition operator: `{2}{3}`"],
    ["a{2}*", "invalid nested repetition operator: `{2}*`"],
    // look-around, atomic groups, comments, backreferences, conditionals: not RE2
    ["(?=a)", "invalid or unsupported Perl syntax: `(?=`"],
    ["(?!a)", "invalid or unsupported Perl syntax: `(?!`"],
    ["(?<=a)b", "invalid named capture: `(?<=a)b`"],
    ["(?<!a)b", "invalid named capture: `(?<!a)b`"],
    ["(?<=a>)", "invalid named capture: `(?<=a>`"],
    ["(?>a)", "invalid or unsupported Perl syntax: `(?>`"],
    ["(?#comment)", "invalid or unsupported Perl syntax: `(?#`"],
    ["(?P=name)", "invalid or unsupported Perl syntax: `(?P`"],
    ["(?'n'a)", "invalid or unsupported Perl syntax: `(?'`"],
    ["(?x)a", "invalid or unsupported Perl syntax: `(?x`"],
    ["(?i", "invalid or unsupported Perl syntax: `(?i`"],
    ["(?", "invalid or unsupported Perl syntax: `(?`"],
    ["(?<", "invalid or unsupported Perl syntax: `(?<`"],
    ["(?-)", "invalid or unsupported Perl syntax: `(?-)`"],
    ["(?i-)", "invalid or unsupported Perl syntax: `(?i-)`"],
    ["(?--i)", "invalid or unsupported Perl syntax: `(?--`"],
    ["(a)\\1", "invalid escape sequence: `\\1`"],
    ["\\8", "invalid escape sequence: `\\8`"],
    ["\\k<n>", "invalid escape sequence: `\\k`"],
    ["\\Z", "invalid escape sequence: `\\Z`"],
    ["\\C", "invalid escape sequence: `\\C`"],
    ["\\G", "invalid escape sequence: `\\G`"],
    ["\\e", "invalid escape sequence: `\\e`"],
    ["\\E", "invalid escape sequence: `\\E`"],
    ["\\é", "invalid escape sequence: `\\é`"],
    ["[\\b]", "invalid escape sequence: `\\b`"],
    ["[\\Q]", "invalid escape sequence: `\\Q`"],
    ["[a-\\d]", "invalid escape sequence: `\\d`"],
    ["\\x", "invalid escape sequence: `\\x`"],
    ["\\xZ1", "invalid escape sequence: `\\xZ1`"],
    ["\\x4", "invalid escape sequence: `\\x4`"],
    ["\\x{}", "invalid escape sequence: `\\x{}`"],
    ["\\x{110000}", "invalid escape sequence: `\\x{110000`"],
    ["\\x{12", "invalid escape sequence: `\\x{12`"],
    ["\\x{1g}", "invalid escape sequence: `\\x{1g`"],
    ["a\\", "trailing backslash at end of expression: ``"],
    ["[a\\", "trailing backslash at end of expression: ``"],
    ["\ud800", "invalid UTF-8: `\ud800`"],
  ];
  it.each(cases)("%j → %s", (pattern, message) => {
    let thrown: unknown;
    try {
      compileGoRegexp(pattern);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(GoParseError);
    expect((thrown as GoParseError).message).toBe(`error parsing regexp: ${message}`);
    expect((thrown as GoParseError).input).toBe(pattern);
  });

  it("refuses 1000 nested groups, as too deep for Go", () => {
    const pattern = "(".repeat(1000) + ")".repeat(1000);
    expect(() => compileGoRegexp(pattern)).toThrow(`error parsing regexp: expression nests too deeply: \`${pattern}\``);
    expect(() => compileGoRegexp("(?:".repeat(1000) + ")*".repeat(1000))).toThrow("expression nests too deeply");
  });

  it("accepts 999 nested groups", () => {
    expect(compileGoRegexp("(".repeat(999) + "a" + ")".repeat(999)).test("a")).toBe(true);
  });
});

describe("compileGoRegexp properties", () => {
  it("a quoted literal (QuoteMeta) matches exactly itself", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "grapheme" }), (s, other) => {
        const re = compileGoRegexp(`^${quoteMeta(s)}$`);
        expect(re.test(s)).toBe(true);
        expect(re.test(other)).toBe(other === s);
      }),
    );
  });

  it("\\Q…\\E matches its text literally", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        fc.pre(!s.includes("\\E"));
        expect(compileGoRegexp(`\\A\\Q${s}\\E\\z`).test(s)).toBe(true);
      }),
    );
  });

  it("on syntax Go and JS share, matches as JS would", () => {
    // Patterns over letters, classes, groups, alternation and quantifiers mean the same in both,
    // on inputs without line breaks. Groups get only bounded quantifiers, to keep backtracking cheap.
    const quantifier = fc.constantFrom("", "", "*", "+", "?", "{2}", "{1,2}", "*?", "+?");
    const groupQuantifier = fc.constantFrom("", "?", "{2}", "??");
    const pattern = fc.letrec<{ alt: string; atom: string }>((tie) => ({
      atom: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc
          .tuple(fc.constantFrom("a", "b", "c", ".", "[ab]", "[^a]", "\\d", "\\w", "x"), quantifier)
          .map(([a, q]) => a + q),
        fc.tuple(tie("alt"), groupQuantifier).map(([a, q]) => `(${a})${q}`),
        fc.tuple(tie("alt"), groupQuantifier).map(([a, q]) => `(?:${a})${q}`),
      ),
      alt: fc
        .array(
          fc.array(tie("atom"), { maxLength: 4 }).map((items) => items.join("")),
          { minLength: 1, maxLength: 3 },
        )
        .map((branches) => branches.join("|")),
    })).alt;
    const anchored = fc
      .tuple(fc.boolean(), pattern, fc.boolean())
      .map(([s, p, e]) => `${s ? "^" : ""}${p}${e ? "$" : ""}`);
    fc.assert(
      fc.property(
        anchored,
        fc.array(fc.stringMatching(/^[abcx1 ]{0,8}$/), { minLength: 1, maxLength: 5 }),
        (p, inputs) => {
          const go = compileGoRegexp(p);
          const js = new RegExp(p, "u");
          for (const input of inputs) expect(go.test(input)).toBe(js.test(input));
        },
      ),
    );
  });
});
