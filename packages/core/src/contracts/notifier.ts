import type { RebootEvent } from "./events.js";

/**
 * Tells people or systems about reboot events (chat, mail, webhooks).
 *
 * Must promise: bounded time per call (its own timeout), honours the signal, never throws for
 * "the endpoint said no" in a way that leaks secrets. The coordinator logs a failure and goes on:
 * a notifier can never stop or delay a reboot beyond its timeout.
 */
export interface Notifier {
  /** kebab-case, unique among notifiers */
  readonly id: string;
  /** optional filter: return false to skip an event */
  accepts?(e: RebootEvent): boolean;
  notify(e: RebootEvent, signal: AbortSignal): Promise<void>;
}
