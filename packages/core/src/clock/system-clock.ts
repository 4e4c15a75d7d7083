import type { Clock } from "../contracts/clock.js";

/**
 * The longest delay a Node timer takes: above 2^31 − 1 ms (24.8 days) `setTimeout` fires after
 * 1 ms instead, which turned a `--lock-ttl=720h` renewal into a busy loop. Longer sleeps wait in
 * steps of at most this.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The timer functions a clock uses (a seam for tests of the clamping). */
export interface TimerFunctions {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

const nodeTimers: TimerFunctions = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

/**
 * Waits `ms` milliseconds of real time (any length, `Infinity` included: until aborted), rejecting
 * with the signal's reason when it aborts.
 */
function sleepReal(
  ms: number,
  signal: AbortSignal | undefined,
  timers: TimerFunctions,
  now: () => number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const end = now() + Math.max(0, Number.isNaN(ms) ? 0 : ms);
    let timer: unknown;
    const onAbort = (): void => {
      timers.clearTimeout(timer);
      reject(signal?.reason);
    };
    const step = (): void => {
      const left = end - now();
      if (left <= 0) {
        signal?.removeEventListener("abort", onAbort);
        resolve();
        return;
      }
      timer = timers.setTimeout(step, Math.min(left, MAX_TIMER_MS));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    timer = timers.setTimeout(step, Math.min(Math.max(0, end - now()), MAX_TIMER_MS));
  });
}

/**
 * A clock over the given timer functions and time source (Node's timers and `Date.now` by
 * default). The fault model runs it over timers that behave as Node's do on a virtual clock, so
 * that the clamping is exercised where the daemon's sleeps are.
 */
export function createSystemClock(timers: TimerFunctions = nodeTimers, now: () => number = () => Date.now()): Clock {
  return {
    now: () => new Date(now()),
    sleep: (ms, signal) => sleepReal(ms, signal, timers, now),
  };
}

/** The production clock: wall time, real sleeps. */
export const systemClock: Clock = createSystemClock();
