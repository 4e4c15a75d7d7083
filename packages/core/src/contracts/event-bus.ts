import type { DrainProgress } from "./drainer.js";
import type { RebootEvent } from "./events.js";
import type { LockState } from "./lock-backend.js";
import type { Reason } from "./reason.js";

/** A detector's answer, published every minute whatever the window says (kured's metric). */
export interface RebootRequiredSample {
  readonly node: string;
  readonly required: boolean;
  readonly at: Date;
  readonly reason?: Reason;
}

/** Everything that travels on the event bus. */
export type BusMessage =
  /** a step of the reboot cycle */
  | { readonly kind: "phase"; readonly event: RebootEvent }
  /** the periodic reboot-required sample */
  | { readonly kind: "reboot-required"; readonly sample: RebootRequiredSample }
  /** the lock as last seen */
  | { readonly kind: "lock-state"; readonly state: LockState; readonly at: Date }
  /** drain progress of this node */
  | { readonly kind: "drain-progress"; readonly node: string; readonly progress: DrainProgress; readonly at: Date };

/**
 * Receives bus messages: the logger, Kubernetes Events, notifiers and metrics are subscribers.
 *
 * Must promise: `handle` returns quickly or is async with its own time limit; a thrown error or
 * rejected promise is logged by the bus and never reaches the publisher.
 */
export interface EventSubscriber {
  /** kebab-case, unique among subscribers */
  readonly id: string;
  handle(message: BusMessage): void | Promise<void>;
}

/**
 * The one event bus of a daemon. `publish` never throws and never waits for subscribers; each
 * subscriber receives messages in publication order.
 */
export interface EventBus {
  publish(message: BusMessage): void;
  /** returns a function that unsubscribes */
  subscribe(subscriber: EventSubscriber): () => void;
  /** resolves when every message published so far has been handled (tests, shutdown) */
  drain(): Promise<void>;
}
