import type { Clock } from "@kured/core";

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

interface InFlight<T> {
  readonly outcome: Promise<Outcome<T>>;
  readonly controller: AbortController;
  waiters: number;
}

/** How a SharedResult loads and how long an answer stays fresh. */
export interface SharedResultOptions<T> {
  readonly clock: Clock;
  /** how long an answer (or a failure) is reused, in ms on `clock` */
  readonly ttlMs: number;
  /** fetches a fresh answer; aborted once nobody waits for it any more */
  readonly load: (signal: AbortSignal) => Promise<T>;
}

/**
 * One answer shared by every caller: callers that arrive while a load runs wait for that load,
 * and its answer — or its failure, so a down server is not hammered — is reused for `ttlMs`.
 * A caller whose signal aborts stops waiting at once; the load itself is aborted only when no
 * caller waits for it, and an aborted load is never reused.
 */
export class SharedResult<T> {
  #fresh: { readonly until: number; readonly outcome: Outcome<T> } | undefined;
  #inFlight: InFlight<T> | undefined;

  constructor(private readonly options: SharedResultOptions<T>) {}

  /** The current answer: reused, joined, or freshly loaded. */
  async get(signal: AbortSignal): Promise<T> {
    signal.throwIfAborted();
    const fresh = this.#fresh;
    if (fresh && this.options.clock.now().getTime() < fresh.until) return unwrap(fresh.outcome);
    const flight = (this.#inFlight ??= this.#start());
    return unwrap(await this.#wait(flight, signal));
  }

  #start(): InFlight<T> {
    const controller = new AbortController();
    const flight: InFlight<T> = {
      controller,
      waiters: 0,
      outcome: this.options.load(controller.signal).then(
        (value): Outcome<T> => ({ ok: true, value }),
        (error: unknown): Outcome<T> => ({ ok: false, error }),
      ),
    };
    void flight.outcome.then((outcome) => {
      if (this.#inFlight === flight) this.#inFlight = undefined;
      if (controller.signal.aborted) return;
      this.#fresh = { until: this.options.clock.now().getTime() + this.options.ttlMs, outcome };
    });
    return flight;
  }

  #wait(flight: InFlight<T>, signal: AbortSignal): Promise<Outcome<T>> {
    flight.waiters += 1;
    return new Promise<Outcome<T>>((resolve, reject) => {
      const onAbort = (): void => {
        flight.waiters -= 1;
        if (flight.waiters === 0) {
          if (this.#inFlight === flight) this.#inFlight = undefined;
          flight.controller.abort(signal.reason);
        }
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      void flight.outcome.then((outcome) => {
        if (signal.aborted) return;
        signal.removeEventListener("abort", onAbort);
        flight.waiters -= 1;
        resolve(outcome);
      });
    });
  }
}

function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw outcome.error;
}
