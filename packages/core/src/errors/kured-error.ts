import { ERROR_CODES, type KuredErrorCode } from "./codes.js";

/** One thing wrong with the input, e.g. one bad flag value. */
export interface Problem {
  /** the flag as typed, e.g. `--period`, or a package name for plugin problems */
  readonly subject: string;
  /** the offending value, already redacted when it may hold a secret */
  readonly value?: string;
  /** what is wrong, in one sentence */
  readonly message: string;
  /** what to do about it */
  readonly fix?: string;
}

/** Formats one problem as a single line: `--period="0": must be > 0 (fix: …)`. */
export function formatProblem(p: Problem): string {
  const value = p.value === undefined ? "" : `=${JSON.stringify(p.value)}`;
  const fix = p.fix ? `; ${p.fix}` : "";
  return `${p.subject}${value}: ${p.message}${fix}`;
}

/**
 * The one error class of kured: a stable `code` from the table in codes.ts, a message that names
 * what was wrong and what to do, and, for input errors, every problem found (not only the first).
 */
export class KuredError extends Error {
  override readonly name = "KuredError";
  readonly code: KuredErrorCode;
  readonly problems: readonly Problem[];

  constructor(code: KuredErrorCode, message: string, options?: { problems?: readonly Problem[]; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.problems = options?.problems ?? [];
  }

  /** The exit code a CLI should end with for this error (2 for bad input). */
  get exitCode(): number {
    return ERROR_CODES[this.code].exitCode;
  }

  /** Builds an error from a list of problems: one line each under a summary line. */
  static fromProblems(code: KuredErrorCode, problems: readonly Problem[]): KuredError {
    const head =
      problems.length === 1 ? "invalid configuration:" : `invalid configuration (${problems.length} problems):`;
    const lines = problems.map((p) => `  ${formatProblem(p)}`);
    return new KuredError(code, [head, ...lines].join("\n"), { problems });
  }
}

/** True when `e` is a KuredError, also across two copies of @kured/core. */
export function isKuredError(e: unknown): e is KuredError {
  return (
    e instanceof KuredError ||
    (e instanceof Error && e.name === "KuredError" && typeof (e as { code?: unknown }).code === "string")
  );
}
