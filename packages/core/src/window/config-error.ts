import { KuredError, type Problem } from "../errors/kured-error.js";

/**
 * Builds the error every window parser throws: code KURED_ERR_CONFIG_INVALID, all problems kept,
 * and a message made of the problems' messages (so a single problem reads exactly like kured's).
 */
export function windowConfigError(problems: readonly Problem[]): KuredError {
  return new KuredError("KURED_ERR_CONFIG_INVALID", problems.map((p) => p.message).join("; "), { problems });
}

/** Options shared by the window parsers. */
export interface WindowParseOptions {
  /** the flag the input came from, used as the problem's subject (e.g. `--start-time`) */
  readonly flag?: string;
}
