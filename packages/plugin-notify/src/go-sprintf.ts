/**
 * Go's `fmt.Sprintf` for string arguments: what kured does with a message template
 * (`fmt.Sprintf(template, nodeName)`), including Go's error artefacts, so that a template renders
 * byte for byte as it did in kured.
 *
 * Supported: the verbs `%s %v %q %x %X %T %%`, flags `+ - # 0 space`, width and precision (digits
 * or `*`), explicit argument indexes (`%[1]s`), and Go's complaints: `%!d(string=…)` for a verb
 * that does not fit a string, `%!s(MISSING)`, `%!(EXTRA string=…)`, `%!(NOVERB)`,
 * `%!s(BADINDEX)`, `%!(BADWIDTH)`, `%!(BADPREC)`. Arguments are always strings here, so numeric
 * verbs only ever produce the complaint, as in Go.
 */
export function goSprintf(format: string, args: readonly string[], options: GoSprintfOptions = {}): string {
  return new GoFormatter(format, args, options.reportExtra ?? true).run();
}

/** Departures from Go, for templates that are not kured's. */
export interface GoSprintfOptions {
  /** append `%!(EXTRA …)` for unused arguments, as Go does; default true */
  readonly reportExtra?: boolean;
}

interface Flags {
  sharp: boolean;
  zero: boolean;
  plus: boolean;
  minus: boolean;
  space: boolean;
  width?: number;
  precision?: number;
}

const noFlags = (): Flags => ({ sharp: false, zero: false, plus: false, minus: false, space: false });

class GoFormatter {
  private out = "";
  private i = 0;
  private argNum = 0;
  /** an explicit index was used somewhere: Go then stops reporting extra arguments */
  private reordered = false;
  /** the current verb's explicit index was out of range or malformed */
  private goodArgNum = true;

  constructor(
    private readonly format: string,
    private readonly args: readonly string[],
    private readonly reportExtra: boolean,
  ) {}

  run(): string {
    const f = this.format;
    while (this.i < f.length) {
      this.goodArgNum = true;
      const next = f.indexOf("%", this.i);
      if (next === -1) {
        this.out += f.slice(this.i);
        break;
      }
      this.out += f.slice(this.i, next);
      this.i = next + 1;
      if (!this.directive()) break;
    }
    if (this.reportExtra && !this.reordered && this.argNum < this.args.length) {
      const extra = this.args.slice(this.argNum).map((a) => `string=${a}`);
      this.out += `%!(EXTRA ${extra.join(", ")})`;
    }
    return this.out;
  }

  /** Handles one directive after its `%`; false when the format ended inside it. */
  private directive(): boolean {
    const f = this.format;
    const flags = noFlags();
    for (; this.i < f.length; this.i++) {
      const c = f[this.i];
      if (c === "#") flags.sharp = true;
      else if (c === "0")
        flags.zero = !flags.minus; // zero padding only ever goes to the left
      else if (c === "+") flags.plus = true;
      else if (c === "-") {
        flags.minus = true;
        flags.zero = false;
      } else if (c === " ") flags.space = true;
      else break;
    }

    let afterIndex = this.argIndex();
    if (f[this.i] === "*") {
      this.i++;
      // The width must come from an int argument; ours are strings, so Go complains (and the
      // argument is used up).
      this.takeIntArg();
      this.out += "%!(BADWIDTH)";
      afterIndex = false;
    } else {
      const width = this.number();
      if (width !== undefined) {
        flags.width = width;
        if (afterIndex) this.goodArgNum = false; // `%[1]5s`: an index must follow the width
      }
    }

    // A `.` that ends the format is taken as the verb, as Go does.
    if (f[this.i] === "." && this.i + 1 < f.length) {
      this.i++;
      if (afterIndex) this.goodArgNum = false;
      afterIndex = this.argIndex();
      if (f[this.i] === "*") {
        this.i++;
        this.takeIntArg();
        this.out += "%!(BADPREC)";
        afterIndex = false;
      } else {
        flags.precision = this.number() ?? 0;
      }
    }

    if (!afterIndex) this.argIndex();

    if (this.i >= f.length) {
      this.out += "%!(NOVERB)";
      return false;
    }
    const verb = String.fromCodePoint(f.codePointAt(this.i) as number);
    this.i += verb.length;

    if (verb === "%") {
      this.out += "%"; // takes no argument, ignores width and flags
    } else if (!this.goodArgNum) {
      this.out += `%!${verb}(BADINDEX)`;
    } else if (this.argNum >= this.args.length) {
      this.out += `%!${verb}(MISSING)`;
    } else {
      const arg = this.args[this.argNum] as string;
      this.argNum++;
      this.out += formatString(arg, verb, flags);
    }
    return true;
  }

  /** Parses `[n]` at the cursor; true when a valid index now selects the next argument. */
  private argIndex(): boolean {
    const f = this.format;
    if (f[this.i] !== "[") return false;
    this.reordered = true;
    const close = f.indexOf("]", this.i + 1);
    if (f.length - this.i < 3 || close === -1) {
      this.i += 1; // Go skips just the bracket
      this.goodArgNum = false;
      return false;
    }
    const digits = f.slice(this.i + 1, close);
    this.i = close + 1;
    const n = /^[0-9]+$/.test(digits) ? Number(digits) : NaN;
    if (Number.isInteger(n) && n >= 1 && n <= this.args.length) {
      this.argNum = n - 1;
      return true;
    }
    this.goodArgNum = false;
    return /^[0-9]+$/.test(digits);
  }

  /** Reads decimal digits at the cursor. */
  private number(): number | undefined {
    const m = /^[0-9]+/.exec(this.format.slice(this.i));
    if (!m) return undefined;
    this.i += m[0].length;
    return Number(m[0]);
  }

  /** `*` consumes the next argument whatever its type. */
  private takeIntArg(): void {
    if (this.argNum < this.args.length) this.argNum++;
  }
}

/** One verb applied to a string argument. */
function formatString(arg: string, verb: string, flags: Flags): string {
  switch (verb) {
    case "s":
      return pad(truncate(arg, flags), flags);
    case "v":
      // `%#v` is Go syntax (a quoted string); `#` itself does not reach the quoting
      return flags.sharp ? pad(goQuote(truncate(arg, flags), false), flags) : pad(truncate(arg, flags), flags);
    case "q":
      return quoteVerb(arg, flags);
    case "x":
    case "X":
      return hexVerb(arg, flags, verb === "X");
    case "T":
      return pad(truncate("string", flags), flags);
    default:
      // Go prints the argument with %v, keeping width and precision, inside its complaint.
      return `%!${verb}(string=${pad(truncate(arg, flags), flags)})`;
  }
}

function truncate(s: string, flags: Flags): string {
  if (flags.precision === undefined) return s;
  return [...s].slice(0, flags.precision).join("");
}

/** Pads to the width in runes: left with spaces or zeros, right (`-`) with spaces. */
function pad(s: string, flags: Flags, width = [...s].length): string {
  if (flags.width === undefined || flags.width <= width) return s;
  const fill = (flags.zero ? "0" : " ").repeat(flags.width - width);
  return flags.minus ? s + fill : fill + s;
}

function quoteVerb(arg: string, flags: Flags): string {
  const s = truncate(arg, flags);
  if (flags.sharp && canBackquote(s)) return pad("`" + s + "`", flags);
  return pad(goQuote(s, flags.plus), flags);
}

function hexVerb(arg: string, flags: Flags, upper: boolean): string {
  let bytes = [...Buffer.from(arg, "utf8")];
  if (flags.precision !== undefined) bytes = bytes.slice(0, flags.precision);
  const prefix = upper ? "0X" : "0x";
  const hex = bytes.map((b) => {
    const h = b.toString(16).padStart(2, "0");
    return upper ? h.toUpperCase() : h;
  });
  let body: string;
  if (flags.space) body = hex.map((h) => (flags.sharp ? prefix + h : h)).join(" ");
  else body = (flags.sharp && hex.length > 0 ? prefix : "") + hex.join("");
  if (hex.length === 0) return flags.width ? (flags.zero ? "0" : " ").repeat(flags.width) : "";
  return pad(body, flags, body.length);
}

const ESCAPES: Readonly<Record<string, string>> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
  '"': '\\"',
  "\\": "\\\\",
};

/** Go's notion of a printable rune: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isPrint(ch: string): boolean {
  return ch === " " || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch);
}

/** Go's strconv.Quote (or QuoteToASCII): a double-quoted string literal. */
function goQuote(s: string, asciiOnly: boolean): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    const escape = ESCAPES[ch];
    if (escape !== undefined) out += escape;
    else if (cp < 0x80 && isPrint(ch)) out += ch;
    else if (cp >= 0x80 && !asciiOnly && isPrint(ch) && !(cp >= 0xd800 && cp <= 0xdfff)) out += ch;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp >= 0xd800 && cp <= 0xdfff)
      out += "\\ufffd"; // a lone surrogate is not valid UTF-8
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += `\\U${cp.toString(16).padStart(8, "0")}`;
  }
  return out + '"';
}

/** Go's strconv.CanBackquote: no backquote, no control character but tab, no BOM. */
function canBackquote(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === "`" || cp === 0xfeff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    if ((cp < 0x20 && ch !== "\t") || cp === 0x7f) return false;
  }
  return true;
}
