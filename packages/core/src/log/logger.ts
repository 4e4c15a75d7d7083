import { pino, type DestinationStream, type LevelWithSilent } from "pino";
import pretty from "pino-pretty";
import type { Logger } from "../contracts/logger.js";
import { redactSecrets } from "./redact.js";

/** `--log-format`: `json` for machines, anything else (kured's rule) is text for people. */
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
  const stream = pretty({
    destination: destination as NodeJS.WritableStream,
    sync: true,
    colorize: false,
    translateTime: "UTC:yyyy-mm-dd'T'HH:MM:ss.l'Z'",
    ignore: "pid,hostname",
    hideObject: true,
    messageFormat: textLine,
  });
  return pino(common, stream);
}
