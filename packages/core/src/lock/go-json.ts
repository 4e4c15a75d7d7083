/**
 * Reading JSON the way Go's encoding/json fills a struct: keys match field names exactly or
 * case-insensitively (the last matching key wins), unknown keys are ignored, `null` leaves the
 * zero value, and integers keep every digit (a TTL in nanoseconds can exceed 2^53).
 */

/** A JSON number with the exact text it was written as. */
export class JsonNumber {
  constructor(readonly source: string) {}
}

/** A parsed JSON value whose numbers are {@link JsonNumber}s. */
export type GoJsonValue = null | boolean | string | JsonNumber | GoJsonValue[] | { [key: string]: GoJsonValue };

/** A JSON object as parsed by {@link parseGoJson}. */
export type GoJsonObject = { [key: string]: GoJsonValue };

/** Parses JSON text, keeping each number's source text; throws SyntaxError like JSON.parse. */
export function parseGoJson(text: string): GoJsonValue {
  // Node ≥ 21 passes the source text of primitives to the reviver (TC39 "JSON.parse source text access").
  const reviver = (_key: string, value: unknown, context?: { source?: string }): unknown =>
    typeof value === "number" ? new JsonNumber(context?.source ?? String(value)) : value;
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown) as GoJsonValue;
}

/** True for a JSON object (not an array, not null). */
export function isGoJsonObject(value: GoJsonValue | undefined): value is GoJsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber);
}

/** Go's simple case folding of one code point, enough for ASCII field names (incl. ſ → s and K → k). */
function fold(ch: string): string {
  const upper = ch.toUpperCase();
  return upper.length === ch.length ? upper.toLowerCase() : ch.toLowerCase();
}

/** bytes.EqualFold: equal under simple Unicode case folding. */
export function equalFold(a: string, b: string): boolean {
  const x = [...a];
  const y = [...b];
  return x.length === y.length && x.every((ch, i) => ch === y[i] || fold(ch) === fold(y[i] as string));
}

/**
 * The value Go would decode into the field `name`: the last key equal to `name` or equal under
 * case folding; undefined when no key matches.
 */
export function goField(obj: GoJsonObject, name: string): GoJsonValue | undefined {
  let found: GoJsonValue | undefined;
  for (const key of Object.keys(obj)) {
    if (key === name || equalFold(key, name)) found = obj[key] as GoJsonValue;
  }
  return found;
}

/** True when some key of `obj` would decode into the field `name`. */
export function hasGoField(obj: GoJsonObject, name: string): boolean {
  return Object.keys(obj).some((key) => key === name || equalFold(key, name));
}

/** Go's encoding of a string: JSON.stringify plus the HTML-safe escapes Go adds (<, >, &, U+2028, U+2029). */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${(ch.codePointAt(0) as number).toString(16).padStart(4, "0")}`,
  );
}
