/**
 * One CSV record read as Go's encoding/csv Reader.Read does with its defaults (comma `,`, no
 * comments, LazyQuotes and TrimLeadingSpace off): this is how pflag's stringSlice flags
 * (`--reboot-days`, `--pre-reboot-node-labels`, …) split each value they are given.
 */
import { GoParseError } from "./go-parse-error.js";

const ERR_BARE_QUOTE = 'bare " in non-quoted-field';
const ERR_QUOTE = 'extraneous or missing " in quoted-field';

const byteLength = (s: string): number => Buffer.byteLength(s, "utf8");

/** Reads lines as the csv reader does: with their `\n`, `\r\n` turned into `\n`, a `\r` before the end dropped. */
class LineReader {
  private offset = 0;
  /** 1-based number of the last line read (reading past the end counts, as in Go) */
  lineNumber = 0;

  constructor(private readonly text: string) {}

  /** The next line, or undefined at the end of the input. */
  read(): string | undefined {
    this.lineNumber++;
    if (this.offset >= this.text.length) return undefined;
    const nl = this.text.indexOf("\n", this.offset);
    let line: string;
    if (nl < 0) {
      line = this.text.slice(this.offset);
      this.offset = this.text.length;
      if (line.endsWith("\r")) line = line.slice(0, -1);
    } else {
      line = this.text.slice(this.offset, nl + 1);
      this.offset = nl + 1;
    }
    return line.endsWith("\r\n") ? `${line.slice(0, -2)}\n` : line;
  }
}

/**
 * Splits one flag value into fields as pflag's stringSlice does (Go encoding/csv, one record):
 * commas separate fields, a field in double quotes may hold commas, newlines and `""` for a quote,
 * blanks are kept, a quote inside an unquoted field is an error, and "" gives no fields at all.
 * Only the first record counts, as in pflag. Throws GoParseError with Go's message.
 */
export function parseGoCsvRecord(s: string): string[] {
  if (s === "") return [];
  const reader = new LineReader(s);
  const fail = (startLine: number, line: number, column: number, what: string): never => {
    const where =
      startLine === line
        ? `parse error on line ${line}, column ${column}`
        : `record on line ${startLine}; parse error on line ${line}, column ${column}`;
    throw new GoParseError(s, `${where}: ${what}`);
  };

  // Skip empty lines, as the reader does.
  let line = reader.read();
  while (line === "\n") line = reader.read();
  if (line === undefined) throw new GoParseError(s, "EOF");

  const recordLine = reader.lineNumber;
  const fields: string[] = [];
  // Position for error messages: 1-based line and byte column, as Go reports them.
  let lineNumber = recordLine;
  let column = 1;
  for (;;) {
    if (!line.startsWith('"')) {
      const comma = line.indexOf(",");
      const field = comma >= 0 ? line.slice(0, comma) : line.replace(/\n$/, "");
      const quote = field.indexOf('"');
      if (quote >= 0) fail(recordLine, lineNumber, column + byteLength(field.slice(0, quote)), ERR_BARE_QUOTE);
      fields.push(field);
      if (comma < 0) return fields;
      column += byteLength(field) + 1;
      line = line.slice(comma + 1);
      continue;
    }

    // Quoted field, possibly over several lines.
    line = line.slice(1);
    column += 1;
    let value = "";
    for (;;) {
      const quote = line.indexOf('"');
      if (quote >= 0) {
        value += line.slice(0, quote);
        column += byteLength(line.slice(0, quote)) + 1;
        line = line.slice(quote + 1);
        if (line.startsWith('"')) {
          value += '"';
          line = line.slice(1);
          column += 1;
        } else if (line.startsWith(",")) {
          line = line.slice(1);
          column += 1;
          fields.push(value);
          break;
        } else if (line === "" || line === "\n") {
          fields.push(value);
          return fields;
        } else {
          fail(recordLine, lineNumber, column - 1, ERR_QUOTE);
        }
      } else if (line.length > 0) {
        value += line;
        column += byteLength(line);
        const next = reader.read();
        line = next ?? "";
        if (line.length > 0) {
          lineNumber++;
          column = 1;
        }
      } else {
        // The input ended inside the quotes.
        fail(recordLine, lineNumber, column, ERR_QUOTE);
      }
    }
  }
}
