import type { Logger as PinoLogger } from "pino";

/**
 * The structured logger every component receives: a pino logger whose child bindings carry
 * `node`, `phase` and `plugin`. Secrets never go into a log line (see `redactUrl`).
 */
export type Logger = PinoLogger;
