import { pino, type DestinationStream, type LevelWithSilent } from "pino";
import type { Logger } from "../contracts/logger.js";
import { redactSecrets } from "./redact.js";

/** `--log-format`: `json` for machines, `text` for people (the flag takes nothing else). */
export type LogFormat = "text" | "json";

export interface LoggerOptions {
  readonly format: LogFormat;
  readonly level?: LevelWithSilent;
  /** where lines go; stderr by default (stdout is kept for a command's own output) */
  readonly destination?: DestinationStream | NodeJS.WritableStream;
  /** bindings on every line, e.g. `{ node }` */
  readonly base?: Record<string, string>;
}

const NOT_FIELDS = new Set(["time", "level", "msg", "pid", "hostname", "err"]);

/** `message key=value key="two words"`: fields after the message, logfmt style. */
function textLine(record: Record<string, unknown>, messageKey: string): string {
  const parts = [String(record[messageKey] ?? "")];
  for (const [key, value] of Object.entries(record)) {
    if (NOT_FIELDS.has(key) || key === messageKey || value === undefined) continue;
    const text = typeof value === "string" ? value : JSON.stringify(value);
    parts.push(`${key}=${/[\s"=]/.test(text) || text === "" ? JSON.stringify(text) : text}`);
  }
  const err = record.err as { message?: string } | undefined;
  if (err?.message) parts.push(`error=${JSON.stringify(err.message)}`);
  return parts.join(" ");
}

/** `[time] LEVEL: message key=value …` and a newline. */
function textRecord(record: Record<string, unknown>): string {
  const level = typeof record.level === "string" ? record.level.toUpperCase() : String(record.level);
  return `[${String(record.time)}] ${level}: ${textLine(record, "msg")}\n`;
}

/**
 * Creates the root logger. JSON lines use pino's format with an ISO `time`; text lines read like
 * `[2026-11-22T18:00:00.000Z] INFO: Reboot required node=node-a plugin=sentinel`, written
 * synchronously (no worker thread, which would cost every node memory). Every message and string
 * field passes through secret redaction.
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stderr;
  const common = {
    level: options.level ?? "info",
    base: options.base ?? {},
    timestamp: pino.stdTimeFunctions.isoTime,
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void): void {
        method.apply(
          this,
          args.map((a) => redactSecrets(a)),
        );
      },
    },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (options.format === "json") {
    return pino(common, destination as DestinationStream);
  }
  const out = destination as NodeJS.WritableStream;
  // pino hands every record over as one JSON line; this turns it into the text line, in the
  // same call (stderr is synchronous for files and pipes), without pino-pretty and the dozen
  // modules it loads into every daemon (docs/adr/0003-lean-kubernetes-client.md)
  const stream: DestinationStream = {
    write(line: string): void {
      out.write(textRecord(JSON.parse(line) as Record<string, unknown>));
    },
  };
  return pino(common, stream);
}
