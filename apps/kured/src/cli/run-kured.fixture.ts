import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { runCli } from "./run-cli.js";

/** Runs the CLI in-process with a given environment and captures its output. */
export async function runKured(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on("data", (b: Buffer) => out.push(b));
  stderr.on("data", (b: Buffer) => err.push(b));
  const code = await runCli(argv, { stdout, stderr, env, cwd: fileURLToPath(new URL(".", import.meta.url)) });
  return { code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
}
