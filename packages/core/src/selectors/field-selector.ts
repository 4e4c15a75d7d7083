/**
 * Kubernetes field selectors, parsed as `fields.ParseSelector` of k8s.io/apimachinery does:
 * terms `field=value`, `field==value` or `field!=value` joined by commas (AND); in a value, `\,`,
 * `\=` and `\\` stand for `,`, `=` and `\`, and a bare `,` or `=` is an error. Nothing is trimmed:
 * blanks belong to the field or value. The first operator in a term splits it; empty terms are
 * skipped, and "" selects everything. Terms come out in the order apimachinery sorts them.
 */
import { FieldSelectorError } from "./selector-errors.js";

/** One term of a field selector. */
export interface FieldRequirement {
  field: string;
  operator: "=" | "==" | "!=";
  value: string;
}

/** A parsed field selector: its requirements (all must hold) and how to apply it. */
export interface FieldSelector {
  /** the terms, in apimachinery's order */
  readonly requirements: readonly FieldRequirement[];
  /** True when every term holds; `get` returns a field's value, undefined (read as "") when absent. */
  matches(get: (field: string) => string | undefined): boolean;
  /** True for the empty selector, which matches everything. */
  isEverything(): boolean;
  /** The canonical text, as apimachinery's `Selector.String()` writes it (`==` is written `=`). */
  toString(): string;
}

const OPERATORS = ["!=", "==", "="] as const;

/** Splits on commas that are not escaped by a backslash; escapes stay in place. */
function splitTerms(input: string): string[] {
  if (input === "") return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (escaped) escaped = false;
    else if (ch === "\\") escaped = true;
    else if (ch === ",") {
      terms.push(input.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(input.slice(start));
  return terms;
}

/** Splits a term at its first operator, trying `!=` then `==` then `=` at each position. */
function splitTerm(term: string): { field: string; operator: FieldRequirement["operator"]; raw: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const operator of OPERATORS) {
      if (term.startsWith(operator, i)) {
        return { field: term.slice(0, i), operator, raw: term.slice(i + operator.length) };
      }
    }
  }
  return undefined;
}

function unescapeValue(input: string, raw: string): string {
  let out = "";
  let escaped = false;
  for (const ch of raw) {
    if (escaped) {
      if (ch !== "\\" && ch !== "," && ch !== "=") {
        throw new FieldSelectorError(input, `invalid field selector: invalid escape sequence: \\${ch}`);
      }
      out += ch;
      escaped = false;
    } else if (ch === "\\") {
      escaped = true;
    } else if (ch === "," || ch === "=") {
      throw new FieldSelectorError(input, `invalid field selector: unescaped character in value: '${ch}'`);
    } else {
      out += ch;
    }
  }
  if (escaped) throw new FieldSelectorError(input, "invalid field selector: invalid escape sequence: \\");
  return out;
}

/** Escapes a value for the selector text: the inverse of the parser's unescaping. */
function escapeValue(value: string): string {
  return value.replace(/[\\,=]/g, (ch) => `\\${ch}`);
}

/** Go compares strings byte by byte (UTF-8); so do we, for the same order of terms. */
function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** An immutable field selector. */
class ParsedFieldSelector implements FieldSelector {
  readonly requirements: readonly FieldRequirement[];

  constructor(requirements: FieldRequirement[]) {
    this.requirements = Object.freeze(requirements);
  }

  matches(get: (field: string) => string | undefined): boolean {
    return this.requirements.every((r) => {
      const actual = get(r.field) ?? "";
      return r.operator === "!=" ? actual !== r.value : actual === r.value;
    });
  }

  isEverything(): boolean {
    return this.requirements.length === 0;
  }

  toString(): string {
    return this.requirements
      .map((r) => `${r.field}${r.operator === "!=" ? "!=" : "="}${escapeValue(r.value)}`)
      .join(",");
  }
}

/** Parses a Kubernetes field selector (`fields.ParseSelector`); throws FieldSelectorError when Kubernetes would refuse it. */
export function parseFieldSelector(input: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(input).sort(compareBytes)) {
    if (term === "") continue;
    const split = splitTerm(term);
    if (split === undefined)
      throw new FieldSelectorError(input, `invalid selector: '${input}'; can't understand '${term}'`);
    const value = unescapeValue(input, split.raw);
    // apimachinery drops a term whose field and value are both empty (a bare `=`).
    if (split.field === "" && value === "") continue;
    requirements.push({ field: split.field, operator: split.operator, value });
  }
  return new ParsedFieldSelector(requirements);
}
