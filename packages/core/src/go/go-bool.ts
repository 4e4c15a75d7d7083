import { GoParseError } from "./go-parse-error.js";
import { quoteGo } from "./go-quote.js";

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Parses a boolean as strconv.ParseBool: `1 t T TRUE true True` / `0 f F FALSE false False`; throws GoParseError. */
export function parseGoBool(s: string): boolean {
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw new GoParseError(s, `strconv.ParseBool: parsing ${quoteGo(s)}: invalid syntax`);
}
