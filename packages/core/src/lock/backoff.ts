/** Capped exponential backoff with jitter, so contenders that collided do not collide again in step. */

/** How retries space out. */
export interface BackoffOptions {
  /** the first delay's upper bound, ms */
  readonly baseMs: number;
  /** no delay exceeds this, ms */
  readonly capMs: number;
  /** a number in [0, 1); default Math.random */
  readonly random?: () => number;
}

/** Conflict retries: kured sleeps a flat second; we start small and never exceed it. */
export const CONFLICT_BACKOFF: BackoffOptions = { baseMs: 25, capMs: 1000 };

/** Reconnecting a watch after an error. */
export const WATCH_BACKOFF: BackoffOptions = { baseMs: 200, capMs: 30_000 };

/** The delay before retry number `attempt` (0-based): "equal jitter", half fixed and half random. */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}
