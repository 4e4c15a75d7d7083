/**
 * A clock for lock backends in tests that judge expiry on a virtual clock: its time is the virtual
 * clock's, and each sleep ends when that much virtual time has passed or when that much real time
 * has, whichever comes first. On a real cluster other controllers write the lock's object (the
 * DaemonSet controller its status), so a read-modify-write can meet a 409 and back off for a few
 * milliseconds; on the virtual clock alone that backoff would wait for a test that never advances
 * time. Long waits (a release delay, a renewal period) still end only by advancing the clock.
 */
import type { Clock } from "@kured/core";
import type { VirtualClock } from "@kured/testkit";

/** `virtual`'s time, with sleeps that also end after the same real time. */
export function withRealWaits(virtual: VirtualClock): Clock {
  return {
    now: () => virtual.now(),
    sleep: (ms, signal) => {
      if (signal?.aborted) return Promise.reject(signal.reason);
      const done = new AbortController();
      const stop = (): void => done.abort(signal?.reason);
      signal?.addEventListener("abort", stop, { once: true });
      const real = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        done.signal.addEventListener(
          "abort",
          () => {
            clearTimeout(timer);
            if (signal?.aborted) reject(signal.reason);
          },
          { once: true },
        );
      });
      return Promise.race([virtual.sleep(ms, done.signal), real]).finally(() => {
        signal?.removeEventListener("abort", stop);
        done.abort(); // cancel whichever is still pending
      });
    },
  };
}
