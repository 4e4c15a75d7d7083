#!/usr/bin/env node
import { runCli } from "./cli/run-cli.js";

// SIGTERM (pod deletion) and SIGINT stop the daemon cleanly: waits end, no cordon is left behind
// unless the node is mid-reboot.
const stop = new AbortController();
for (const name of ["SIGTERM", "SIGINT"] as const) process.once(name, () => stop.abort(new Error(name)));

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: stop.signal,
});
