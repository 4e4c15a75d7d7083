import type { Clock } from "./clock.js";
import type { Logger } from "./logger.js";

/** What every per-node call receives: the node's name, a way to stop, a logger and the clock. */
export interface NodeContext {
  /** the Kubernetes Node name this daemon runs on */
  readonly node: string;
  /** aborted when the daemon shuts down or the step is cancelled; implementations must honour it */
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly clock: Clock;
}
