/**
 * A parser for Go's regexp syntax (RE2, regexp/syntax with the Perl flags that regexp.Compile
 * uses), producing a small tree that go-regexp.ts writes out as a JavaScript RegExp. It accepts
 * and rejects what Go does, with Go's error messages (`error parsing regexp: <what>: \`<where>\``).
 *
 * Flags are resolved here, as Go resolves them: `(?i)` marks each literal and class as
 * case-folded, `(?s)` and `(?m)` pick the meaning of `.`, `^` and `$`, `(?U)` flips greediness.
 */
import { GoParseError } from "./go-parse-error.js";

/** One member of a character class: a code point range, or a Unicode property in JS syntax. */
export type ClassItem =
  { kind: "range"; lo: number; hi: number } | { kind: "property"; name: string; negated: boolean };

/** Zero-width assertions: text start/end, line start/end (under `(?m)`), word boundary or not. */
export type Assertion = "text-start" | "text-end" | "line-start" | "line-end" | "word" | "not-word";

/** A parsed regular expression. */
export type RegexNode =
  | { kind: "empty" }
  | { kind: "literal"; cp: number; fold: boolean }
  | { kind: "class"; items: ClassItem[]; negated: boolean; fold: boolean }
  | { kind: "any"; newline: boolean }
  | { kind: "assert"; what: Assertion }
  | { kind: "group"; capture: boolean; name?: string; body: RegexNode }
  | { kind: "concat"; items: RegexNode[] }
  | { kind: "alternate"; branches: RegexNode[] }
  | { kind: "repeat"; sub: RegexNode; min: number; max: number; greedy: boolean };

interface Flags {
  /** (?i) case-insensitive */
  fold: boolean;
  /** (?m) ^ and $ match at line breaks */
  multiLine: boolean;
  /** (?s) . matches \n */
  dotNewline: boolean;
  /** (?U) ungreedy */
  ungreedy: boolean;
}

interface Frame {
  branches: RegexNode[][];
  current: RegexNode[];
  capture: boolean;
  name?: string;
  /** flags at the opening parenthesis, restored at the closing one */
  flags: Flags;
}

const MAX_REPEAT = 1000;
const MAX_DEPTH = 1000;
const MAX_RUNE = 0x10ffff;

const range = (lo: number, hi = lo): ClassItem => ({ kind: "range", lo, hi });
const chars = (s: string): ClassItem[] => [...s].map((c) => range(c.codePointAt(0) ?? 0));
const cp = (c: string): number => c.codePointAt(0) ?? 0;

const DIGIT = [range(cp("0"), cp("9"))];
const WORD = [...DIGIT, range(cp("A"), cp("Z")), range(cp("_")), range(cp("a"), cp("z"))];
const SPACE = chars("\t\n\f\r ");

/** `\d \s \w` and their negations: ASCII only, as in Go. */
const PERL_CLASSES: Readonly<Record<string, { items: ClassItem[]; negated: boolean }>> = {
  d: { items: DIGIT, negated: false },
  D: { items: DIGIT, negated: true },
  s: { items: SPACE, negated: false },
  S: { items: SPACE, negated: true },
  w: { items: WORD, negated: false },
  W: { items: WORD, negated: true },
};

/** `[:name:]` inside brackets: ASCII only, as in Go. */
const POSIX_CLASSES: Readonly<Record<string, ClassItem[]>> = {
  alnum: [range(cp("0"), cp("9")), range(cp("A"), cp("Z")), range(cp("a"), cp("z"))],
  alpha: [range(cp("A"), cp("Z")), range(cp("a"), cp("z"))],
  ascii: [range(0, 0x7f)],
  blank: chars("\t "),
  cntrl: [range(0, 0x1f), range(0x7f)],
  digit: DIGIT,
  graph: [range(cp("!"), cp("~"))],
  lower: [range(cp("a"), cp("z"))],
  print: [range(cp(" "), cp("~"))],
  punct: [range(cp("!"), cp("/")), range(cp(":"), cp("@")), range(cp("["), cp("`")), range(cp("{"), cp("~"))],
  space: chars("\t\n\v\f\r "),
  upper: [range(cp("A"), cp("Z"))],
  word: WORD,
  xdigit: [range(cp("0"), cp("9")), range(cp("A"), cp("F")), range(cp("a"), cp("f"))],
};

const GENERAL_CATEGORIES = new Set(
  "C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs".split(" "),
);

/** Long names of general categories (Go's unicode.CategoryAliases), keyed by Go's canonical spelling. */
const CATEGORY_ALIASES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    Other: "C",
    Control: "Cc",
    Cntrl: "Cc",
    Format: "Cf",
    Privateuse: "Co",
    Surrogate: "Cs",
    Letter: "L",
    Casedletter: "LC",
    Lowercaseletter: "Ll",
    Modifierletter: "Lm",
    Otherletter: "Lo",
    Titlecaseletter: "Lt",
    Uppercaseletter: "Lu",
    Mark: "M",
    Combiningmark: "M",
    Spacingmark: "Mc",
    Enclosingmark: "Me",
    Nonspacingmark: "Mn",
    Number: "N",
    Decimalnumber: "Nd",
    Digit: "Nd",
    Letternumber: "Nl",
    Othernumber: "No",
    Punctuation: "P",
    Punct: "P",
    Connectorpunctuation: "Pc",
    Dashpunctuation: "Pd",
    Closepunctuation: "Pe",
    Finalpunctuation: "Pf",
    Initialpunctuation: "Pi",
    Otherpunctuation: "Po",
    Openpunctuation: "Ps",
    Symbol: "S",
    Currencysymbol: "Sc",
    Modifiersymbol: "Sk",
    Mathsymbol: "Sm",
    Othersymbol: "So",
    Separator: "Z",
    Lineseparator: "Zl",
    Paragraphseparator: "Zp",
    Spaceseparator: "Zs",
  }),
);

/** Go's canonical spelling of a Unicode class name: `_`, `-` and blanks dropped, `Xxxx` case. */
function canonicalName(name: string): string {
  const bare = name.replace(/[-_ ]/g, "");
  return bare.slice(0, 1).toUpperCase() + bare.slice(1).toLowerCase();
}

function jsAccepts(source: string): boolean {
  try {
    new RegExp(source, "u");
    return true;
  } catch {
    return false;
  }
}

/** The JS property (`L`, `Script=Greek`, …) for a Go Unicode class name, or undefined if Go has none. */
function unicodeProperty(name: string): string | undefined {
  const canonical = canonicalName(name);
  switch (canonical) {
    case "Any":
      return "Any";
    case "Assigned":
      return "Assigned";
    case "Ascii":
      return "ASCII";
    case "Lc":
      return "LC";
  }
  if (GENERAL_CATEGORIES.has(canonical)) return canonical;
  const alias = CATEGORY_ALIASES.get(canonical);
  if (alias !== undefined) return alias;
  // Scripts: Go knows the same names as Unicode; let the JS engine's table decide.
  if (/^[A-Za-z_]+$/.test(name) && jsAccepts(`\\p{Script=${name}}`)) return `Script=${name}`;
  return undefined;
}

const isOctal = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "7";
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isAlnum = (c: string): boolean => /^[0-9A-Za-z]$/.test(c);
const hexValue = (c: string | undefined): number => (c !== undefined && /^[0-9A-Fa-f]$/.test(c) ? parseInt(c, 16) : -1);

/** Go's repeatIsValid: nested counted repetitions may not multiply beyond 1000 copies. */
function repeatIsValid(node: RegexNode, n: number): boolean {
  let budget = n;
  if (node.kind === "repeat") {
    let m = node.max;
    if (m === 0) return true;
    if (m < 0) m = node.min;
    if (m > budget) return false;
    if (m > 0) budget = Math.floor(budget / m);
  }
  switch (node.kind) {
    case "repeat":
      return repeatIsValid(node.sub, budget);
    case "group":
      return repeatIsValid(node.body, budget);
    case "concat":
      return node.items.every((item) => repeatIsValid(item, budget));
    case "alternate":
      return node.branches.every((branch) => repeatIsValid(branch, budget));
    default:
      return true;
  }
}

/** Parses a Go regular expression; throws GoParseError with Go's message when Go would refuse it. */
export function parseGoRegexp(pattern: string): RegexNode {
  return new RegexpParser(pattern).parse();
}

class RegexpParser {
  private i = 0;
  private flags: Flags = { fold: false, multiLine: false, dotNewline: false, ungreedy: false };
  private readonly stack: Frame[] = [];
  /** where the repetition operator just before the current token started, or -1 */
  private lastRepeat = -1;

  constructor(private readonly pattern: string) {}

  private fail(code: string, expr: string): never {
    throw new GoParseError(this.pattern, `error parsing regexp: ${code}: \`${expr}\``);
  }

  private get frame(): Frame {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) throw new Error("regexp parser: empty stack");
    return top;
  }

  /** The code point at `at` and its length in UTF-16 units. */
  private charAt(at: number): string {
    const c = this.pattern.codePointAt(at);
    return c === undefined ? "" : String.fromCodePoint(c);
  }

  parse(): RegexNode {
    // A lone surrogate is what invalid UTF-8 becomes in a JS string.
    const lone = /\p{Cs}/u.exec(this.pattern);
    if (lone !== null) this.fail("invalid UTF-8", this.pattern.slice(lone.index));
    this.stack.push({ branches: [], current: [], capture: false, flags: this.flags });
    const p = this.pattern;
    while (this.i < p.length) {
      let repeatStart = -1;
      const c = p[this.i];
      switch (c) {
        case "(":
          if (p[this.i + 1] === "?") {
            this.perlGroup();
          } else {
            this.i++;
            this.open(true);
          }
          break;
        case "|":
          this.frame.branches.push(this.frame.current);
          this.frame.current = [];
          this.i++;
          break;
        case ")":
          this.close();
          break;
        case "^":
          this.push({ kind: "assert", what: this.flags.multiLine ? "line-start" : "text-start" });
          this.i++;
          break;
        case "$":
          this.push({ kind: "assert", what: this.flags.multiLine ? "line-end" : "text-end" });
          this.i++;
          break;
        case ".":
          this.push({ kind: "any", newline: this.flags.dotNewline });
          this.i++;
          break;
        case "[":
          this.push(this.charClass());
          break;
        case "*":
        case "+":
        case "?": {
          repeatStart = this.i;
          const [min, max] = c === "*" ? [0, -1] : c === "+" ? [1, -1] : [0, 1];
          this.i++;
          this.repeat(repeatStart, min, max, false);
          break;
        }
        case "{": {
          const counted = this.countedRepeat();
          if (counted === undefined) {
            this.literal(cp("{"));
            this.i++;
            break;
          }
          repeatStart = this.i;
          const [min, max, end] = counted;
          this.i = end;
          if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
            this.fail("invalid repeat count", p.slice(repeatStart, end));
          }
          this.repeat(repeatStart, min, max, true);
          break;
        }
        case "\\":
          this.backslash();
          break;
        default: {
          const ch = this.charAt(this.i);
          this.literal(cp(ch));
          this.i += ch.length;
        }
      }
      this.lastRepeat = repeatStart;
    }
    if (this.stack.length !== 1) this.fail("missing closing )", p);
    return this.finish(this.frame);
  }

  private push(node: RegexNode): void {
    this.frame.current.push(node);
  }

  private literal(code: number): void {
    this.push({ kind: "literal", cp: code, fold: this.flags.fold });
  }

  /** Opens a group; its `)` will restore the flags in force now. */
  private open(capture: boolean, name?: string): void {
    // Go limits the height of the parsed tree to 1000; 1000 nested groups (plus their content) exceed it.
    if (this.stack.length >= MAX_DEPTH) this.fail("expression nests too deeply", this.pattern);
    this.stack.push({ branches: [], current: [], capture, ...(name === undefined ? {} : { name }), flags: this.flags });
  }

  private close(): void {
    if (this.stack.length < 2) this.fail("unexpected )", this.pattern);
    const frame = this.frame;
    this.stack.pop();
    this.flags = frame.flags;
    const group: RegexNode = { kind: "group", capture: frame.capture, body: this.finish(frame) };
    if (frame.name !== undefined) group.name = frame.name;
    this.push(group);
    this.i++;
  }

  private finish(frame: Frame): RegexNode {
    const branches = [...frame.branches, frame.current].map((items): RegexNode =>
      items.length === 0 ? { kind: "empty" } : items.length === 1 ? (items[0] as RegexNode) : { kind: "concat", items },
    );
    return branches.length === 1 ? (branches[0] as RegexNode) : { kind: "alternate", branches };
  }

  /** `(?P<name>`, `(?<name>`, `(?flags)`, `(?flags:`; anything else after `(?` is an error, as in Go. */
  private perlGroup(): void {
    const p = this.pattern;
    const start = this.i;
    const rest = p.slice(start);
    const named = rest.startsWith("(?P<") && rest.length > 4 ? 4 : rest.startsWith("(?<") && rest.length > 3 ? 3 : 0;
    if (named > 0) {
      const end = rest.indexOf(">");
      if (end < 0) this.fail("invalid named capture", rest);
      const name = rest.slice(named, end);
      if (!/^[0-9A-Za-z_]+$/.test(name)) this.fail("invalid named capture", rest.slice(0, end + 1));
      this.i = start + end + 1;
      this.open(true, name);
      return;
    }

    let j = start + 2;
    const flags = { ...this.flags };
    let negate = false;
    let sawFlag = false;
    while (j < p.length) {
      const c = this.charAt(j);
      j += c.length;
      switch (c) {
        case "i":
          flags.fold = !negate;
          sawFlag = true;
          continue;
        case "m":
          flags.multiLine = !negate;
          sawFlag = true;
          continue;
        case "s":
          flags.dotNewline = !negate;
          sawFlag = true;
          continue;
        case "U":
          flags.ungreedy = !negate;
          sawFlag = true;
          continue;
        case "-":
          if (negate) break;
          negate = true;
          sawFlag = false;
          continue;
        case ":":
        case ")":
          if (negate && !sawFlag) break;
          this.i = j;
          if (c === ":") this.open(false);
          this.flags = flags;
          return;
      }
      break;
    }
    this.fail("invalid or unsupported Perl syntax", p.slice(start, j));
  }

  /** `{n}`, `{n,}`, `{n,m}` at the cursor: [min, max (-1 = no limit), end index], or undefined if `{` is a literal. */
  private countedRepeat(): [number, number, number] | undefined {
    const p = this.pattern;
    let j = this.i + 1;
    const number = (): number | undefined => {
      if (!isDigit(p[j])) return undefined;
      if (p[j] === "0" && isDigit(p[j + 1])) return undefined; // Go refuses leading zeros
      const from = j;
      while (isDigit(p[j])) j++;
      const digits = p.slice(from, j);
      return digits.length > 8 ? Number.MAX_SAFE_INTEGER : Number(digits); // too big: an invalid count later
    };
    const min = number();
    if (min === undefined) return undefined;
    let max = min;
    if (p[j] === ",") {
      j++;
      if (p[j] === "}") max = -1;
      else {
        const m = number();
        if (m === undefined) return undefined;
        max = m;
      }
    }
    if (p[j] !== "}") return undefined;
    return [min, max, j + 1];
  }

  private repeat(start: number, min: number, max: number, counted: boolean): void {
    const p = this.pattern;
    let greedy = !this.flags.ungreedy;
    if (p[this.i] === "?") {
      greedy = !greedy;
      this.i++;
    }
    if (this.lastRepeat >= 0) this.fail("invalid nested repetition operator", p.slice(this.lastRepeat, this.i));
    const sub = this.frame.current.pop();
    if (sub === undefined) this.fail("missing argument to repetition operator", p.slice(start, this.i));
    const node: RegexNode = { kind: "repeat", sub, min, max, greedy };
    this.push(node);
    if (counted && (min >= 2 || max >= 2) && !repeatIsValid(node, MAX_REPEAT)) {
      this.fail("invalid repeat count", p.slice(start, this.i));
    }
  }

  private backslash(): void {
    const p = this.pattern;
    const next = p[this.i + 1];
    switch (next) {
      case "A":
        this.push({ kind: "assert", what: "text-start" });
        this.i += 2;
        return;
      case "z":
        this.push({ kind: "assert", what: "text-end" });
        this.i += 2;
        return;
      case "b":
        this.push({ kind: "assert", what: "word" });
        this.i += 2;
        return;
      case "B":
        this.push({ kind: "assert", what: "not-word" });
        this.i += 2;
        return;
      case "C":
        this.fail("invalid escape sequence", "\\C");
        break;
      case "Q": {
        // Everything up to \E (or the end) is literal.
        const end = p.indexOf("\\E", this.i + 2);
        const text = p.slice(this.i + 2, end < 0 ? p.length : end);
        for (const ch of text) this.literal(cp(ch));
        this.i = end < 0 ? p.length : end + 2;
        return;
      }
      case "p":
      case "P": {
        const item = this.unicodeClass();
        this.push({ kind: "class", items: [item], negated: false, fold: this.flags.fold });
        return;
      }
    }
    const perl = next === undefined ? undefined : PERL_CLASSES[next];
    if (perl !== undefined) {
      this.push({ kind: "class", items: perl.items, negated: perl.negated, fold: this.flags.fold });
      this.i += 2;
      return;
    }
    this.literal(this.escape());
  }

  /** A single-character escape at the cursor (`\n`, `\x41`, `\x{263a}`, `\101`, `\.`), advancing past it. */
  private escape(): number {
    const p = this.pattern;
    const start = this.i;
    let j = start + 1;
    if (j >= p.length) this.fail("trailing backslash at end of expression", "");
    const c = this.charAt(j);
    j += c.length;
    const invalid = (): never => this.fail("invalid escape sequence", p.slice(start, j));
    const controls: Readonly<Record<string, number>> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
    const control = controls[c];
    if (control !== undefined) {
      this.i = j;
      return control;
    }
    if (c >= "1" && c <= "7" && !isOctal(p[j])) invalid(); // \1 … \7 alone would be backreferences
    if (c >= "0" && c <= "7") {
      let value = Number(c);
      for (let k = 1; k < 3 && isOctal(p[j]); k++) value = value * 8 + Number(p[j++]);
      this.i = j;
      return value;
    }
    if (c === "x") {
      if (j >= p.length) invalid();
      const first = this.charAt(j);
      j += first.length;
      if (first === "{") {
        let value = 0;
        let digits = 0;
        for (;;) {
          if (j >= p.length) invalid();
          const h = this.charAt(j);
          j += h.length;
          if (h === "}") break;
          const v = hexValue(h);
          if (v < 0) invalid();
          value = value * 16 + v;
          if (value > MAX_RUNE) invalid();
          digits++;
        }
        if (digits === 0) invalid();
        this.i = j;
        return value;
      }
      const second = this.charAt(j);
      j += second.length;
      const hi = hexValue(first);
      const lo = hexValue(second);
      if (hi < 0 || lo < 0) invalid();
      this.i = j;
      return hi * 16 + lo;
    }
    if (cp(c) < 0x80 && !isAlnum(c)) {
      // Escaped punctuation is itself.
      this.i = j;
      return cp(c);
    }
    return invalid();
  }

  /** `\pL`, `\p{Greek}`, `\PL`, `\p{^Greek}` at the cursor. */
  private unicodeClass(): ClassItem {
    const p = this.pattern;
    const start = this.i;
    let negated = p[start + 1] === "P";
    const c = this.charAt(start + 2);
    let seq: string;
    let name: string;
    if (c !== "{") {
      seq = p.slice(start, start + 2 + c.length);
      name = c;
      this.i = start + 2 + c.length;
    } else {
      const end = p.indexOf("}", start);
      if (end < 0) this.fail("invalid character class range", p.slice(start));
      seq = p.slice(start, end + 1);
      name = p.slice(start + 3, end);
      this.i = end + 1;
    }
    if (name.startsWith("^")) {
      negated = !negated;
      name = name.slice(1);
    }
    const property = unicodeProperty(name);
    if (property === undefined) this.fail("invalid character class range", seq);
    return { kind: "property", name: property, negated };
  }

  /** A bracketed class at the cursor (`[a-z]`, `[^\d[:punct:]]`, `[]a]`). */
  private charClass(): RegexNode {
    const p = this.pattern;
    const whole = p.slice(this.i);
    this.i++;
    let negated = false;
    if (p[this.i] === "^") {
      negated = true;
      this.i++;
    }
    const items: ClassItem[] = [];
    let first = true; // `]` is a literal right after `[` or `[^`
    while (this.i >= p.length || p[this.i] !== "]" || first) {
      first = false;
      const rest = p.slice(this.i);
      if (rest.startsWith("[:")) {
        const end = rest.indexOf(":]", 2);
        if (end >= 0) {
          const text = rest.slice(0, end + 2);
          const inner = rest.slice(2, end);
          const negate = inner.startsWith("^");
          const posix = POSIX_CLASSES[negate ? inner.slice(1) : inner];
          if (posix === undefined) this.fail("invalid character class range", text);
          items.push(...(negate ? complement(posix) : posix));
          this.i += text.length;
          continue;
        }
      }
      if (rest.startsWith("\\p") || rest.startsWith("\\P")) {
        items.push(this.unicodeClass());
        continue;
      }
      const perl = rest.startsWith("\\") ? PERL_CLASSES[rest[1] ?? ""] : undefined;
      if (perl !== undefined) {
        items.push(...(perl.negated ? complement(perl.items) : perl.items));
        this.i += 2;
        continue;
      }
      const rangeStart = this.i;
      const lo = this.classChar(whole);
      let hi = lo;
      if (p[this.i] === "-" && this.i + 1 < p.length && p[this.i + 1] !== "]") {
        this.i++;
        hi = this.classChar(whole);
        if (hi < lo) this.fail("invalid character class range", p.slice(rangeStart, this.i));
      }
      items.push(range(lo, hi));
    }
    this.i++; // the closing ]
    return { kind: "class", items, negated, fold: this.flags.fold };
  }

  private classChar(whole: string): number {
    if (this.i >= this.pattern.length) this.fail("missing closing ]", whole);
    if (this.pattern[this.i] === "\\") return this.escape();
    const ch = this.charAt(this.i);
    this.i += ch.length;
    return cp(ch);
  }
}

/** The code points not in the given ranges (all ranges are ASCII-sized and sorted here). */
function complement(items: readonly ClassItem[]): ClassItem[] {
  const ranges = items
    .filter((item): item is Extract<ClassItem, { kind: "range" }> => item.kind === "range")
    .map((r) => [r.lo, r.hi] as const)
    .sort((a, b) => a[0] - b[0]);
  const out: ClassItem[] = [];
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push(range(next, lo - 1));
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_RUNE) out.push(range(next, MAX_RUNE));
  return out;
}
