import { createLogger, type Logger } from "@kured/core";

/** A logger like the daemon's (JSON, with its redaction), whose lines a test can read. */
export interface CapturedLog {
  readonly log: Logger;
  /** every line written so far */
  readonly lines: string[];
  /** the parsed lines */
  records(): Record<string, unknown>[];
}

/** Creates a debug-level JSON logger that keeps its lines in memory. */
export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const log = createLogger({
    format: "json",
    level: "debug",
    destination: { write: (line: string) => void lines.push(line) },
  });
  return {
    log,
    lines,
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
