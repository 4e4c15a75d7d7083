/**
 * Go (RE2) regular expressions as JavaScript RegExps, for flags kured compiles with
 * regexp.Compile and applies with MatchString (e.g. `--alert-filter-regexp`).
 *
 * Accepted, with Go's meaning: the whole RE2 syntax of regexp.Compile — literals and escapes
 * (`\n`, `\x41`, `\x{263A}`, `\101`, `\.`), `\Q…\E`, `.`, classes with ranges, `\d \s \w` (ASCII,
 * `\s` without `\v`), POSIX `[[:alpha:]]`/`[[:^alpha:]]`, Unicode `\pL`, `\p{Greek}`, `\PL`,
 * `\p{^Greek}`, `^ $ \A \z \b \B`, groups `(…)`, `(?:…)`, `(?P<n>…)`, `(?<n>…)`, flags
 * `(?imsU)`, `(?i-s)`, `(?i:…)` anywhere (scoped to their group, as in Go), `* + ? {n} {n,} {n,m}`
 * with lazy `?`.
 * Rejected, with Go's error messages: what RE2 rejects though JS takes it — backreferences
 * (`\1`, `\k<n>`), look-around, atomic groups, possessive and stacked quantifiers (`a**`, `a*+`),
 * counts above 1000 (also nested), `\Z`, `\C`, `[\b]` and other unknown escapes.
 *
 * The translation does not lean on JS flags other than `u` (and `i` when the whole pattern is
 * case-insensitive): `.` becomes `[^\n]` (Go's `.` matches `\r`, JS's does not), `(?m)` anchors
 * become look-arounds on `\n` only, `(?i)` parts become `(?i:…)` modifier groups (Node ≥ 23).
 * Known differences, none relevant to matching alert names: case folding follows JS's simple case
 * folding (`\b`/`\w` under `(?i)` may treat ſ and K as word characters), and matching backtracks
 * instead of running in linear time, so a hostile pattern can be slow — patterns come from the
 * operator's own configuration, never from the cluster.
 */
import { GoParseError } from "./go-parse-error.js";
import { parseGoRegexp, type Assertion, type ClassItem, type RegexNode } from "./go-regexp-parser.js";

const SYNTAX_CHARACTERS = new Set("^$\\.*+?()[]{}|/");

const hex = (code: number): string => `\\u{${code.toString(16)}}`;

/** A literal outside a class: syntax characters escaped, invisible ones as `\u{…}`. */
function literalSource(code: number): string {
  const ch = String.fromCodePoint(code);
  if (SYNTAX_CHARACTERS.has(ch)) return `\\${ch}`;
  if (/^[\p{C}\p{Z}]$/u.test(ch) && ch !== " ") return hex(code);
  return ch;
}

/** A class endpoint: ASCII letters and digits as is, everything else as `\u{…}` (always valid in a class). */
function classCharSource(code: number): string {
  return /^[0-9A-Za-z]$/.test(String.fromCodePoint(code)) ? String.fromCodePoint(code) : hex(code);
}

function classItemSource(item: ClassItem): string {
  if (item.kind === "property") return `\\${item.negated ? "P" : "p"}{${item.name}}`;
  return item.lo === item.hi ? classCharSource(item.lo) : `${classCharSource(item.lo)}-${classCharSource(item.hi)}`;
}

const ASSERTIONS: Readonly<Record<Assertion, string>> = {
  "text-start": "^",
  "text-end": "$",
  // Go's multi-line anchors know only \n as a line break; JS's `m` flag would also take \r, U+2028, U+2029.
  "line-start": "(?<![^\\n])",
  "line-end": "(?![^\\n])",
  word: "\\b",
  "not-word": "\\B",
};

/** Writes the tree as JS source. */
class Emitter {
  private readonly usedNames = new Set<string>();

  constructor(private readonly globalFold: boolean) {}

  emit(node: RegexNode): string {
    switch (node.kind) {
      case "empty":
        return "";
      case "literal":
        return this.folded(literalSource(node.cp), node.fold);
      case "class":
        return this.folded(`[${node.negated ? "^" : ""}${node.items.map(classItemSource).join("")}]`, node.fold);
      case "any":
        return node.newline ? "[^]" : "[^\\n]";
      case "assert":
        return ASSERTIONS[node.what];
      case "group":
        return `${this.groupOpening(node)}${this.emit(node.body)})`;
      case "concat":
        return this.concat(node.items);
      case "alternate":
        return node.branches.map((b) => this.emit(b)).join("|");
      case "repeat":
        return `${this.atom(node.sub)}${quantifier(node.min, node.max)}${node.greedy ? "" : "?"}`;
    }
  }

  private folded(source: string, fold: boolean): string {
    return fold && !this.globalFold ? `(?i:${source})` : source;
  }

  /** Runs of case-insensitive literals share one `(?i:…)`, for a readable source. */
  private concat(items: readonly RegexNode[]): string {
    let out = "";
    let run = "";
    for (const item of items) {
      if (item.kind === "literal" && item.fold && !this.globalFold) {
        run += literalSource(item.cp);
        continue;
      }
      if (run !== "") out += `(?i:${run})`;
      run = "";
      out += this.emit(item);
    }
    return run === "" ? out : `${out}(?i:${run})`;
  }

  /** JS cannot quantify an assertion or a quantified term directly; Go can, so group them. */
  private atom(node: RegexNode): string {
    const source = this.emit(node);
    return node.kind === "assert" || node.kind === "repeat" || node.kind === "concat" || node.kind === "alternate"
      ? `(?:${source})`
      : source;
  }

  private groupOpening(node: Extract<RegexNode, { kind: "group" }>): string {
    if (!node.capture) return "(?:";
    const name = node.name;
    // Go allows names JS does not (leading digit, repeated names): those stay unnamed captures.
    if (name !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !this.usedNames.has(name)) {
      this.usedNames.add(name);
      return `(?<${name}>`;
    }
    return "(";
  }
}

function quantifier(min: number, max: number): string {
  if (max < 0) return min === 0 ? "*" : min === 1 ? "+" : `{${min},}`;
  if (min === 0 && max === 1) return "?";
  return min === max ? `{${min}}` : `{${min},${max}}`;
}

/** Literals and classes that would behave differently with and without the `i` flag. */
function caseSensitiveParts(node: RegexNode): { folded: number; unfolded: number } {
  const tally = { folded: 0, unfolded: 0 };
  const walk = (n: RegexNode): void => {
    switch (n.kind) {
      case "literal": {
        const ch = String.fromCodePoint(n.cp);
        if (ch.toLowerCase() !== ch.toUpperCase()) tally[n.fold ? "folded" : "unfolded"]++;
        return;
      }
      case "class":
        tally[n.fold ? "folded" : "unfolded"]++;
        return;
      case "group":
        return walk(n.body);
      case "repeat":
        return walk(n.sub);
      case "concat":
        return n.items.forEach(walk);
      case "alternate":
        return n.branches.forEach(walk);
    }
  };
  walk(node);
  return tally;
}

/**
 * Compiles a Go (RE2) regular expression to an equivalent JS RegExp (flag `u`, plus `i` when the
 * whole pattern is case-insensitive), for unanchored `test()` as Go's MatchString; throws GoParseError
 * with regexp.Compile's message for anything Go would refuse.
 */
export function compileGoRegexp(pattern: string): RegExp {
  const tree = parseGoRegexp(pattern);
  const parts = caseSensitiveParts(tree);
  const globalFold = parts.folded > 0 && parts.unfolded === 0;
  const source = new Emitter(globalFold).emit(tree);
  try {
    return new RegExp(source, globalFold ? "iu" : "u");
  } catch (e) {
    // A translation bug, not bad input: say so rather than blame the pattern.
    throw new GoParseError(
      pattern,
      `error parsing regexp: cannot translate to a JavaScript RegExp (${(e as Error).message}): \`${pattern}\``,
    );
  }
}
