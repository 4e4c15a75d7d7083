/** Go-compatible parsing: durations, integers, booleans, CSV slices, RE2 regular expressions. */
export { GoParseError } from "./go-parse-error.js";
export {
  parseGoDuration,
  parseGoDurationNanos,
  formatGoDuration,
  formatGoDurationNanos,
  nanosToMillis,
  millisToNanos,
} from "./go-duration.js";
export { parseGoInt, parseGoDecimalInt, type GoIntOptions } from "./go-int.js";
export { parseGoBool } from "./go-bool.js";
export { parseGoCsvRecord } from "./go-csv.js";
export { compileGoRegexp } from "./go-regexp.js";
