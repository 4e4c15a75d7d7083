import { PassThrough } from "node:stream";
import { runCli } from "@kured/kured";

/** What one run of the CLI printed and how it ended. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the kured command line in-process with its own stdout, stderr and environment. With
 * `stopWhen`, the run is stopped (as by SIGTERM) once stderr shows that text: a daemon runs until
 * then.
 */
export async function runKuredCli(
  argv: readonly string[],
  options: { env?: Record<string, string | undefined>; stopWhen?: string } = {},
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stop = new AbortController();
  stdout.on("data", (b: Buffer) => out.push(b));
  stderr.on("data", (b: Buffer) => {
    err.push(b);
    if (options.stopWhen !== undefined && Buffer.concat(err).toString("utf8").includes(options.stopWhen))
      stop.abort(new Error("SIGTERM"));
  });
  const code = await runCli(argv, {
    stdout,
    stderr,
    env: options.env ?? {},
    cwd: process.cwd(),
    signal: stop.signal,
  });
  return { code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}

/** Lines of a stack trace (`    at fn (file:line:col)`). */
export function stackLines(text: string): string[] {
  return text.split("\n").filter((l) => /^\s+at /.test(l));
}
