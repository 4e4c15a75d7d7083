import type { NodeContext } from "./node-context.js";
import type { Reason } from "./reason.js";

/** What a detector found. */
export type DetectorResult = { readonly required: boolean; readonly reason?: Reason };

/**
 * Says whether this node needs a reboot (e.g. `/var/run/reboot-required` exists).
 *
 * Must promise: no side effects on the node, bounded run time (a hung check must time out), and a
 * `Reason` whenever `required` is true. A thrown error is logged by the coordinator and counts as
 * "not required" — a detector never causes a reboot by failing.
 */
export interface Detector {
  /** kebab-case, unique among detectors */
  readonly id: string;
  check(ctx: NodeContext): Promise<DetectorResult>;
}
