import type { NodeContext } from "../contracts/node-context.js";
import type { Rebooter } from "../contracts/rebooter.js";
import { hostExec as realHostExec, type HostExec } from "../host/index.js";

/** Options of the command rebooter. */
export interface CommandRebooterOptions {
  /** the command's words (`--reboot-command`, split like google/shlex) */
  readonly argv: readonly string[];
  /** how long the command may run; `systemctl reboot` returns at once */
  readonly timeoutMs?: number;
  /** for tests: how to run it (always through nsenter in production) */
  readonly exec?: HostExec;
}

/**
 * `--reboot-method=command`: runs `--reboot-command` in the host's mount namespace
 * (`/usr/bin/nsenter -m/proc/1/ns/mnt -- <argv>`, no shell). Resolves once the command exited 0.
 */
export function commandRebooter(options: CommandRebooterOptions): Rebooter {
  const exec = options.exec ?? realHostExec;
  return {
    id: "command",
    async reboot(ctx: NodeContext): Promise<void> {
      const result = await exec({ argv: options.argv, timeoutMs: options.timeoutMs ?? 60_000, signal: ctx.signal });
      if (result.timedOut) throw new Error(`reboot command ${options.argv.join(" ")} did not finish in time`);
      if (result.exitCode !== 0) {
        const why = result.exitCode === null ? `was killed by ${result.signal}` : `exited ${result.exitCode}`;
        const stderr = result.stderr.trim();
        throw new Error(`reboot command ${options.argv.join(" ")} ${why}${stderr ? `: ${stderr}` : ""}`);
      }
    },
  };
}
