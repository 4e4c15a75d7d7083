/**
 * Kubernetes label selectors, parsed as `labels.Parse` of k8s.io/apimachinery does:
 *
 *   selector    := requirement ("," requirement)*  |  ""        (comma = AND, "" = everything)
 *   requirement := ["!"] KEY
 *                | KEY ("=" | "==" | "!=" | ">" | "<") VALUE
 *                | KEY ("in" | "notin") "(" VALUE ("," VALUE)* ")"
 *
 * Blanks (space, tab, CR, LF) may separate tokens. Values may be empty (`k=`, `k in (a,)`), the words
 * `in`/`notin` are plain values after an operator, requirements come out sorted by key and set values
 * sorted and de-duplicated, exactly as apimachinery returns them (so `toString()` is its `String()`).
 */
import { LabelSelectorError } from "./selector-errors.js";
import { validateLabelKey, validateLabelValue } from "./label-validation.js";

/** The operator of one requirement; `gt`/`lt` are Kubernetes' `>`/`<` (integer comparison). */
export type LabelOperator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

/** One clause of a label selector: a key, an operator and its values (empty for `exists` and `!`). */
export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

/** A parsed label selector: its requirements (all must hold) and how to apply it. */
export interface LabelSelector {
  /** the requirements, sorted by key */
  readonly requirements: readonly LabelRequirement[];
  /** True when every requirement holds for these labels (no labels = an empty set). */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** True for the empty selector, which matches everything. */
  isEverything(): boolean;
  /** The canonical text, as apimachinery's `Selector.String()` writes it. */
  toString(): string;
}

type TokenKind = "end" | "ident" | "in" | "notin" | "(" | ")" | "," | "!" | "=" | "==" | "!=" | ">" | "<";

interface Token {
  kind: TokenKind;
  text: string;
}

const SYMBOLS = new Set(["=", "!", "(", ")", ",", ">", "<"]);
const TWO_CHAR_SYMBOLS = new Set(["!=", "=="]);
const BLANKS = new Set([" ", "\t", "\r", "\n"]);

/** Splits the input into tokens; `in` and `notin` come out as keywords, turned back into values where a value is due. */
function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i] ?? "";
    if (BLANKS.has(ch)) {
      i++;
      continue;
    }
    if (SYMBOLS.has(ch)) {
      // Longest match: every two-character operator starts with a one-character one.
      const two = input.slice(i, i + 2);
      const text = TWO_CHAR_SYMBOLS.has(two) ? two : ch;
      tokens.push({ kind: text as TokenKind, text });
      i += text.length;
      continue;
    }
    let j = i;
    while (j < input.length && !SYMBOLS.has(input[j] ?? "") && !BLANKS.has(input[j] ?? "")) j++;
    const text = input.slice(i, j);
    tokens.push({ kind: text === "in" || text === "notin" ? text : "ident", text });
    i = j;
  }
  tokens.push({ kind: "end", text: "" });
  return tokens;
}

/** Where the parser is: keywords are operators after a key and ordinary words elsewhere. */
type Context = "operator" | "value";

/** A recursive-descent parser over the token list, one requirement at a time. */
class Parser {
  private position = 0;

  constructor(
    private readonly input: string,
    private readonly tokens: readonly Token[],
  ) {}

  private fail(message: string): never {
    throw new LabelSelectorError(this.input, message);
  }

  private kindOf(token: Token, context: Context): TokenKind {
    return context === "value" && (token.kind === "in" || token.kind === "notin") ? "ident" : token.kind;
  }

  private peek(context: Context): Token & { as: TokenKind } {
    const token = this.tokens[this.position] ?? { kind: "end", text: "" };
    return { ...token, as: this.kindOf(token, context) };
  }

  private next(context: Context): Token & { as: TokenKind } {
    const token = this.peek(context);
    if (this.position < this.tokens.length - 1) this.position++;
    return token;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const head = this.peek("value");
      if (head.as === "end") return requirements;
      if (head.as !== "ident" && head.as !== "!") {
        this.fail(`found '${head.text}', expected: !, identifier, or 'end of string'`);
      }
      requirements.push(this.requirement());
      const after = this.next("value");
      if (after.as === "end") return requirements;
      if (after.as !== ",") this.fail(`found '${after.text}', expected: ',' or 'end of string'`);
      const following = this.peek("value");
      if (following.as !== "ident" && following.as !== "!") {
        this.fail(`found '${following.text}', expected: identifier after ','`);
      }
    }
  }

  private requirement(): LabelRequirement {
    try {
      return this.requirementUnwrapped();
    } catch (e) {
      if (e instanceof LabelSelectorError) {
        throw new LabelSelectorError(this.input, `unable to parse requirement: ${e.message}`);
      }
      throw e;
    }
  }

  private requirementUnwrapped(): LabelRequirement {
    let token = this.next("value");
    const negated = token.as === "!";
    if (negated) token = this.next("value");
    if (token.as !== "ident") this.fail(`found '${token.text}', expected: identifier`);
    const key = token.text;
    const keyProblem = validateLabelKey(key);
    if (keyProblem !== undefined) this.fail(`key: Invalid value: ${JSON.stringify(key)}: ${keyProblem}`);

    const lookahead = this.peek("value").as;
    if (negated || lookahead === "end" || lookahead === ",") {
      // `!key` takes no operator; anything after it is reported by the caller as a misplaced token.
      return { key, operator: negated ? "!" : "exists", values: [] };
    }
    const operator = this.operator();
    const values = operator === "in" || operator === "notin" ? this.valueSet() : [this.exactValue()];
    return checkedRequirement(this.input, key, operator, values);
  }

  private operator(): LabelOperator {
    const token = this.next("operator");
    switch (token.as) {
      case "in":
      case "notin":
      case "=":
      case "==":
      case "!=":
        return token.as;
      case ">":
        return "gt";
      case "<":
        return "lt";
      default:
        return this.fail(`found '${token.text}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  /** `( v1, v2, … )`; empty entries are the empty value, so `()` is the set {""} as in Kubernetes. */
  private valueSet(): string[] {
    const open = this.next("value");
    if (open.as !== "(") this.fail(`found '${open.text}' expected: '('`);
    const values = new Set<string>();
    const first = this.peek("value");
    if (first.as === ")") {
      this.next("value");
      return [""];
    }
    if (first.as !== "ident" && first.as !== ",") this.fail(`found '${first.text}', expected: ',', ')' or identifier`);
    for (;;) {
      const token = this.next("value");
      if (token.as === "ident") {
        values.add(token.text);
        const after = this.peek("value");
        if (after.as === ",") continue;
        if (after.as === ")") break;
        this.fail(`found '${after.text}', expected: ',' or ')'`);
      } else if (token.as === ",") {
        if (values.size === 0) values.add("");
        const after = this.peek("value");
        if (after.as === ")") {
          values.add("");
          break;
        }
        if (after.as === ",") {
          this.next("value");
          values.add("");
        }
      } else {
        this.fail(`found '${token.text}', expected: ',', or identifier`);
      }
    }
    const close = this.next("value");
    if (close.as !== ")") this.fail(`found '${close.text}', expected: ')'`);
    return [...values];
  }

  /** The value after `=`, `==`, `!=`, `>`, `<`; nothing before `,` or the end is the empty value. */
  private exactValue(): string {
    const lookahead = this.peek("value");
    if (lookahead.as === "end" || lookahead.as === ",") return "";
    const token = this.next("value");
    if (token.as !== "ident") this.fail(`found '${token.text}', expected: identifier`);
    return token.text;
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Parses a base-10 int64 as Go's strconv.ParseInt(s, 10, 64) does; undefined when it would fail. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** Sorted, de-duplicated values, checked as `NewRequirement` checks them. */
function checkedRequirement(input: string, key: string, operator: LabelOperator, raw: string[]): LabelRequirement {
  const values = [...new Set(raw)].sort(compareBytes);
  const problems: string[] = [];
  values.forEach((value, i) => {
    if ((operator === "gt" || operator === "lt") && parseInt64(value) === undefined) {
      problems.push(
        `values[${i}]: Invalid value: ${JSON.stringify(value)}: for 'gt', 'lt' operators, the value must be an integer`,
      );
    }
    const valueProblem = validateLabelValue(value);
    if (valueProblem !== undefined) {
      problems.push(`values[${i}][${key}]: Invalid value: ${JSON.stringify(value)}: ${valueProblem}`);
    }
  });
  if (problems.length === 1) throw new LabelSelectorError(input, problems[0] ?? "");
  if (problems.length > 1) throw new LabelSelectorError(input, `[${problems.join(", ")}]`);
  return { key, operator, values };
}

/** Go compares strings byte by byte (UTF-8); so do we, for the same order of keys and values. */
function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function requirementMatches(r: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case "=":
    case "==":
    case "in":
      return has && r.values.includes(value ?? "");
    case "!=":
    case "notin":
      return !has || !r.values.includes(value ?? "");
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt":
    case "lt": {
      // A label value that is not an integer never satisfies a comparison (as in Kubernetes).
      const actual = has ? parseInt64(value ?? "") : undefined;
      const bound = parseInt64(r.values[0] ?? "");
      if (actual === undefined || bound === undefined) return false;
      return r.operator === "gt" ? actual > bound : actual < bound;
    }
  }
}

function requirementToString(r: LabelRequirement): string {
  switch (r.operator) {
    case "exists":
      return r.key;
    case "!":
      return `!${r.key}`;
    case "in":
    case "notin":
      return `${r.key} ${r.operator} (${r.values.join(",")})`;
    case "gt":
      return `${r.key}>${r.values[0] ?? ""}`;
    case "lt":
      return `${r.key}<${r.values[0] ?? ""}`;
    default:
      return `${r.key}${r.operator}${r.values[0] ?? ""}`;
  }
}

/** An immutable selector over already-validated requirements. */
class ParsedLabelSelector implements LabelSelector {
  readonly requirements: readonly LabelRequirement[];

  constructor(requirements: LabelRequirement[]) {
    this.requirements = Object.freeze(requirements.map((r) => ({ ...r, values: [...r.values] })));
  }

  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    const set = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, set));
  }

  isEverything(): boolean {
    return this.requirements.length === 0;
  }

  toString(): string {
    return this.requirements.map(requirementToString).join(",");
  }
}

/** Parses a Kubernetes label selector (`labels.Parse`); throws LabelSelectorError when Kubernetes would refuse it. */
export function parseLabelSelector(input: string): LabelSelector {
  const requirements = new Parser(input, tokenize(input)).parse();
  // Stable sort by key, so the text and the order of evaluation are those of apimachinery.
  requirements.sort((a, b) => compareBytes(a.key, b.key));
  return new ParsedLabelSelector(requirements);
}
