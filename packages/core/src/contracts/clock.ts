/**
 * The only way kured reads the time or waits.
 *
 * Implementations must promise: `now()` never goes backwards within one process; `sleep(ms)`
 * resolves no earlier than `ms` after the call in this clock's time, and rejects with the signal's
 * reason as soon as `signal` aborts (at once if it is already aborted). Production uses the
 * system clock; tests and `kured simulate --virtual-time` use testkit's virtual clock.
 */
export interface Clock {
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
