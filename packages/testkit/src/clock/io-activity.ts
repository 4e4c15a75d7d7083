import { subscribe } from "node:diagnostics_channel";

/** One client HTTP request that has not yet received its response headers. */
interface InFlight {
  /** settle turn in which the request was created (see `markTurn`) */
  readonly turn: number;
  /** real time it started, for the per-settle I/O budget */
  readonly startedAt: number;
  /** set once a virtual timer was scheduled after it started: it may be waiting on that timer */
  stale: boolean;
}

/**
 * Process-wide observation of real I/O that a virtual clock should let finish before moving time
 * on. Node publishes client HTTP requests on diagnostics channels (undici, hence `fetch` and
 * @kubernetes/client-node, and node:http), which is cheap and needs no async_hooks; pending
 * filesystem and DNS requests show up in `process.getActiveResourcesInfo()`.
 */
export class IoActivity {
  readonly #inFlight = new Map<object, InFlight>();
  #turn = 0;
  #subscribed = false;
  #serverWaits = 0;

  /** Starts listening to the diagnostics channels (once per process). */
  ensureSubscribed(): void {
    if (this.#subscribed) return;
    this.#subscribed = true;
    const start = (message: unknown): void => {
      const request = requestOf(message);
      if (request) this.#inFlight.set(request, { turn: this.#turn, startedAt: performance.now(), stale: false });
    };
    const end = (message: unknown): void => {
      const request = requestOf(message);
      if (request) this.#inFlight.delete(request);
    };
    subscribe("undici:request:create", start);
    subscribe("undici:request:headers", end);
    subscribe("undici:request:error", end);
    subscribe("http.client.request.start", start);
    subscribe("http.client.response.finish", end);
    subscribe("http.client.request.error", end);
  }

  /** Called once per settle turn; requests remember the turn they were created in. */
  markTurn(): void {
    this.#turn++;
  }

  /**
   * A virtual timer was scheduled. Requests created in an earlier turn may now be waiting for
   * that very timer (a server handler sleeping on the clock), so they stop holding time still;
   * requests created in this same turn were started alongside the sleep and keep counting.
   */
  timerScheduled(): void {
    for (const entry of this.#inFlight.values()) if (entry.turn < this.#turn) entry.stale = true;
  }

  /**
   * An in-process server handler is about to wait on a virtual timer before it answers (the
   * testkit API server's latency faults). Each such wait stands for one in-flight request that
   * must not hold time still, whichever turn its timer was scheduled in: a client's request start
   * and the server's sleep can fall in the same settle turn. Returns the function ending the wait.
   */
  serverWait(): () => void {
    this.#serverWaits++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#serverWaits--;
    };
  }

  /** True while an HTTP request that may not be waiting on a virtual timer awaits its response headers. */
  httpBusy(): boolean {
    const now = performance.now();
    let fresh = 0;
    for (const [request, entry] of this.#inFlight) {
      // A request dropped without an error event would otherwise stay forever.
      if (now - entry.startedAt > LEAK_MS) this.#inFlight.delete(request);
      else if (!entry.stale) fresh++;
    }
    return fresh > this.#serverWaits;
  }

  /** True while a filesystem, DNS or connect request is pending in libuv. */
  requestsPending(): boolean {
    return process.getActiveResourcesInfo().some((name) => PENDING_REQUEST.test(name));
  }
}

/** Entries older than this (real ms) are forgotten. */
const LEAK_MS = 60_000;

/** libuv request types (as opposed to long-lived handles such as sockets, servers and timers). */
const PENDING_REQUEST = /(Req|ReqWrap|ReqCallback|ReqPromise|ConnectWrap)$/;

function requestOf(message: unknown): object | undefined {
  if (message && typeof message === "object" && "request" in message) {
    const request = (message as { request: unknown }).request;
    if (request && typeof request === "object") return request;
  }
  return undefined;
}

const SHARED = Symbol.for("kured.testkit.io-activity");

/**
 * The one observer shared by every virtual clock in this process, also across module copies
 * (vitest may load this file once per test file; one set of channel subscriptions is enough).
 */
export const ioActivity: IoActivity = ((globalThis as Record<symbol, unknown>)[SHARED] ??=
  new IoActivity()) as IoActivity;
