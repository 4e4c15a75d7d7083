import type { NodeContext } from "../contracts/node-context.js";
import type { Rebooter } from "../contracts/rebooter.js";

/** Options of the signal rebooter. */
export interface SignalRebooterOptions {
  /** `--reboot-signal`; 39 = SIGRTMIN+5, systemd's "reboot" */
  readonly signal: number;
  /** for tests: how to send it (process.kill in production) */
  readonly kill?: (pid: number, signal: number) => void;
}

/**
 * `--reboot-method=signal`: sends the signal to PID 1. With `hostPID: true` that is the host's
 * init (systemd reboots on SIGRTMIN+5); it needs only CAP_KILL.
 */
export function signalRebooter(options: SignalRebooterOptions): Rebooter {
  const kill = options.kill ?? ((pid: number, signal: number) => process.kill(pid, signal));
  return {
    id: "signal",
    async reboot(_ctx: NodeContext): Promise<void> {
      try {
        kill(1, options.signal);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw new Error(
          `sending signal ${options.signal} to PID 1 failed: ${why} (the pod needs hostPID and CAP_KILL)`,
          {
            cause: e,
          },
        );
      }
    },
  };
}
