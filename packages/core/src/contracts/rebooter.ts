import type { NodeContext } from "./node-context.js";

/**
 * Asks the host to reboot.
 *
 * Must promise: resolves once the reboot has been requested (the process may die any moment
 * after), rejects with a clear error when the request could not be made. Never reboots twice for
 * one call.
 */
export interface Rebooter {
  /** kebab-case, e.g. `command` or `signal` (the `--reboot-method` value) */
  readonly id: string;
  reboot(ctx: NodeContext): Promise<void>;
}
