import type { Clock } from "@kured/core";

/** The reason a deadline signal aborts with: the notifier's own time limit passed. */
export class NotifyTimeoutError extends Error {
  override readonly name = "NotifyTimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/** A signal that aborts when `parent` does or after `ms` on `clock`; `dispose` cancels the timer. */
export interface ClockDeadline {
  readonly signal: AbortSignal;
  /** epoch ms on the clock at which the deadline falls */
  readonly at: number;
  dispose(): void;
}

/**
 * Starts a deadline measured on the injected clock (not a real timer), so a test on the virtual
 * clock sees a hanging endpoint given up on exactly at the timeout.
 */
export function clockDeadline(clock: Clock, ms: number, parent: AbortSignal): ClockDeadline {
  const controller = new AbortController();
  const cancel = new AbortController();
  const at = clock.now().getTime() + ms;
  const onParentAbort = (): void => controller.abort(parent.reason);
  if (parent.aborted) onParentAbort();
  else parent.addEventListener("abort", onParentAbort, { once: true });
  clock.sleep(ms, cancel.signal).then(
    () => controller.abort(new NotifyTimeoutError(ms)),
    () => undefined, // cancelled: the work finished first
  );
  return {
    signal: controller.signal,
    at,
    dispose() {
      cancel.abort();
      parent.removeEventListener("abort", onParentAbort);
    },
  };
}

/** Rejects with the signal's reason once it aborts (at once if it has); never resolves. */
export function whenAborted(signal: AbortSignal): Promise<never> {
  const p = new Promise<never>((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason as unknown);
    else signal.addEventListener("abort", () => reject(signal.reason as unknown), { once: true });
  });
  p.catch(() => undefined); // observed by the caller's race; never an unhandled rejection
  return p;
}
