/**
 * SIGKILL for an in-process kured: once `kill()` is called, the process stops at whatever await
 * it is at and never runs another line of its own. Everything it reaches the outside world through
 * (the REST client, the clock, the rebooter) goes through the switch: a call made after the kill,
 * and the answer to a call made before it, never settles. Its requests and watches are aborted
 * underneath so that nothing of it lingers on the server or the clock (the abort is never seen by
 * the process: the rejection it causes never settles either).
 */
import type { Clock, KubeApi, KubeQuery, KubeRequestOptions, WatchCallback } from "@kured/core";

/** A promise that never settles (and holds nothing, so it is garbage once dropped). */
function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

export class KillSwitch {
  #killed = false;
  readonly #abort = new AbortController();

  get killed(): boolean {
    return this.#killed;
  }

  /** Aborts only the switch's own plumbing; the process never observes it. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  kill(): void {
    if (this.#killed) return;
    this.#killed = true;
    this.#abort.abort(new Error("killed"));
  }

  /** Runs `work` unless killed; its outcome reaches the caller only if the process still lives then. */
  guard<T>(work: () => Promise<T>): Promise<T> {
    if (this.#killed) return never();
    let started: Promise<T>;
    try {
      started = work();
    } catch (e) {
      started = Promise.reject(e as Error);
    }
    return started.then(
      (v) => (this.#killed ? never<T>() : v),
      (e: unknown) => (this.#killed ? never<T>() : Promise.reject(e as Error)),
    );
  }

  /** Runs a synchronous callback (a watch event) only while the process lives. */
  call(fn: () => void): void {
    if (!this.#killed) fn();
  }

  private linked(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, this.#abort.signal]) : this.#abort.signal;
  }

  /** The process's REST client. */
  kube(inner: KubeApi): KubeApi {
    const opts = (o: KubeRequestOptions | undefined): KubeRequestOptions => ({ ...o, signal: this.linked(o?.signal) });
    return {
      server: inner.server,
      request: <T>(method: string, path: string, body?: unknown, o?: KubeRequestOptions) =>
        this.guard(() => inner.request<T>(method, path, body, opts(o))),
      get: <T>(path: string, o?: KubeRequestOptions) => this.guard(() => inner.get<T>(path, opts(o))),
      post: <T>(path: string, body: unknown, o?: KubeRequestOptions) =>
        this.guard(() => inner.post<T>(path, body, opts(o))),
      put: <T>(path: string, body: unknown, o?: KubeRequestOptions) =>
        this.guard(() => inner.put<T>(path, body, opts(o))),
      patch: <T>(path: string, body: unknown, o?: KubeRequestOptions) =>
        this.guard(() => inner.patch<T>(path, body, opts(o))),
      delete: <T>(path: string, o?: KubeRequestOptions) => this.guard(() => inner.delete<T>(path, opts(o))),
      watch: <T>(path: string, query: KubeQuery, onEvent: WatchCallback<T>, done: (error: unknown) => void) =>
        this.guard(async () => {
          const controller = await inner.watch<T>(
            path,
            query,
            (type, object) => this.call(() => onEvent(type, object)),
            (error) => this.call(() => done(error)),
          );
          // the connection dies with the process
          if (this.#killed) controller.abort();
          else this.#abort.signal.addEventListener("abort", () => controller.abort(), { once: true });
          return controller;
        }),
    };
  }

  /** The process's clock: a sleep outlives the process only as a timer that is cancelled at once. */
  clock(inner: Clock): Clock {
    return {
      now: () => inner.now(),
      sleep: (ms: number, signal?: AbortSignal) => this.guard(() => inner.sleep(ms, this.linked(signal))),
    };
  }
}
