import type { Clock } from "../contracts/clock.js";

/** Waits `ms` milliseconds of real time, rejecting with the signal's reason when it aborts. */
function sleepReal(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The production clock: wall time, real sleeps. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: sleepReal,
};
