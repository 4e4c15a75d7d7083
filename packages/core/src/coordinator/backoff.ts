import type { Clock } from "../contracts/clock.js";
import { apiErrorInfo } from "../kube/api-errors.js";

/**
 * Capped exponential backoff with jitter: each delay is drawn uniformly from [base/2, base), and
 * base doubles up to the cap, so many nodes failing together do not retry in lockstep.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: { initialMs: number; maxMs: number; random?: () => number } = {
      initialMs: 1_000,
      maxMs: 60_000,
    },
  ) {}

  /** The next delay in ms. */
  next(): number {
    const base = Math.min(this.options.maxMs, this.options.initialMs * 2 ** this.attempt);
    this.attempt++;
    const random = this.options.random ?? Math.random;
    return base / 2 + random() * (base / 2);
  }

  /** Starts over after a success. */
  reset(): void {
    this.attempt = 0;
  }
}

/**
 * Runs a read-modify-write until it does not hit a 409 Conflict (someone else updated the object
 * in between), waiting a short jittered delay between tries. Other errors are thrown at once.
 */
export async function retryOnConflict<T>(
  attemptFn: () => Promise<T>,
  options: { clock: Clock; signal?: AbortSignal; attempts?: number },
): Promise<T> {
  const backoff = new Backoff({ initialMs: 50, maxMs: 2_000 });
  const attempts = options.attempts ?? 20;
  for (let i = 1; ; i++) {
    try {
      return await attemptFn();
    } catch (e) {
      if (apiErrorInfo(e).code !== 409 || i >= attempts) throw e;
      await options.clock.sleep(backoff.next(), options.signal);
    }
  }
}
