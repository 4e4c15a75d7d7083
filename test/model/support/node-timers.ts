/**
 * Timers that behave as Node's do, on the virtual clock: a delay above 2^31 − 1 ms (or below 1 ms,
 * or NaN) fires after 1 ms — Node's TimeoutOverflowWarning. Every process of the fault model
 * sleeps through the production clock over these timers, so an unclamped long sleep (a
 * `--period` or a lock expiry past 24.8 days) turns into the busy loop it is in production, and
 * the model counts the timers to catch it.
 */
import { MAX_TIMER_MS, type TimerFunctions } from "@kured/core";
import type { VirtualClock } from "@kured/testkit";

export class NodeLikeTimers implements TimerFunctions {
  /** timers set so far, by every process of the run */
  count = 0;

  constructor(private readonly clock: VirtualClock) {}

  setTimeout(callback: () => void, ms: number): unknown {
    this.count++;
    const delay = ms >= 1 && ms <= MAX_TIMER_MS ? ms : 1;
    const timer = new AbortController();
    this.clock.sleep(delay, timer.signal).then(callback, () => undefined);
    return timer;
  }

  clearTimeout(timer: unknown): void {
    (timer as AbortController | undefined)?.abort();
  }
}
