/**
 * `changes()` for the API-backed locks: list the lock's objects, then watch them from the list's
 * resourceVersion; reconnect from the last resourceVersion seen when the stream ends, relist on
 * 410 Gone, back off (jittered) after errors, and wake when the earliest holder expires (an
 * expiry writes nothing, so no watch event announces it). Yields only when the state changed.
 */
import type { Clock } from "../contracts/clock.js";
import type { LockState } from "../contracts/lock-backend.js";
import type { Logger } from "../contracts/logger.js";
import type { KubeApi } from "../kube/kube-api.js";
import { backoffDelay, WATCH_BACKOFF } from "./backoff.js";

/** The part of a Kubernetes object the watch needs. */
export interface WatchedObject {
  metadata?: { name?: string; resourceVersion?: string };
}

/** What to watch and how to turn the objects into a state. */
export interface LockWatchSource<T extends WatchedObject> {
  readonly kube: KubeApi;
  /** the collection's path, e.g. `/apis/apps/v1/namespaces/kube-system/daemonsets` */
  readonly path: string;
  /** `fieldSelector` / `labelSelector` narrowing it to the lock's objects */
  readonly query: Readonly<Record<string, string>>;
  /** lists the objects (same selector) with the list's resourceVersion */
  list(signal: AbortSignal): Promise<{ items: T[]; resourceVersion: string }>;
  /** the state the objects stand for, now */
  state(objects: readonly T[]): LockState;
  readonly clock: Clock;
  readonly log: Logger;
  readonly random?: () => number;
}

type WatchEvent<T> = { type: string; object: T };

/** What changing means for waiters: holders, queue order, the manual lock, the capacity. */
function stateKey(s: LockState): string {
  return JSON.stringify([
    s.capacity,
    s.holders.map((h) => [h.holder, h.acquiredAt.getTime(), h.expiresAt?.getTime() ?? 0, h.wasUnschedulable]),
    s.queue.map((q) => q.node),
    s.manual ? [s.manual.reason ?? "", s.manual.since?.getTime() ?? 0] : null,
  ]);
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** The lock state now and after every change of the watched objects, until `signal` aborts. */
export async function* watchLock<T extends WatchedObject>(
  source: LockWatchSource<T>,
  signal: AbortSignal,
): AsyncGenerator<LockState> {
  if (signal.aborted) return;
  const stop = aborted(signal);
  const objects = new Map<string, T>();
  let resourceVersion: string | undefined;
  let lastKey: string | undefined;
  let failures = 0;

  const current = (): LockState => source.state([...objects.values()]);
  const pause = async (): Promise<void> => {
    const ms = backoffDelay(failures++, { ...WATCH_BACKOFF, ...(source.random ? { random: source.random } : {}) });
    await source.clock.sleep(ms, signal).catch(() => undefined);
  };

  while (!signal.aborted) {
    if (resourceVersion === undefined) {
      try {
        const list = await source.list(signal);
        objects.clear();
        for (const item of list.items) objects.set(item.metadata?.name ?? "", item);
        resourceVersion = list.resourceVersion;
      } catch (error) {
        if (signal.aborted) return;
        source.log.warn({ err: error }, "Listing the lock failed, will retry");
        await pause();
        continue;
      }
    }
    const state = current();
    const key = stateKey(state);
    if (key !== lastKey) {
      lastKey = key;
      yield state;
      if (signal.aborted) return;
    }

    // One watch connection: events queue up while the consumer handles a yielded state.
    const queue: WatchEvent<T>[] = [];
    let received = 0;
    let ended: { error: unknown } | undefined;
    let wake = (): void => {};
    const notify = (): void => wake();
    let controller: AbortController | undefined;
    const connecting = source.kube.watch<T>(
      source.path,
      { ...source.query, resourceVersion, allowWatchBookmarks: true },
      (type: string, object: T) => {
        queue.push({ type, object });
        received++;
        notify();
      },
      (error: unknown) => {
        ended = { error };
        notify();
      },
    );
    // The client resolves only once the server answered: do not let a slow server delay the end.
    const connected = await Promise.race([
      connecting.then(
        (c) => ({ controller: c }),
        (error: unknown) => ({ error }),
      ),
      stop.then(() => undefined),
    ]);
    if (connected === undefined) {
      connecting.then(
        (c) => c.abort(),
        () => undefined,
      );
      return;
    }
    if ("error" in connected) ended = { error: connected.error };
    else controller = connected.controller;
    try {
      while (!signal.aborted) {
        const expiry = nextExpiry(current(), source.clock.now());
        const timer = new AbortController();
        const woken = new Promise<void>((resolve) => (wake = resolve));
        if (queue.length === 0 && ended === undefined) {
          const sleeps =
            expiry === undefined
              ? []
              : [source.clock.sleep(expiry, AbortSignal.any([signal, timer.signal])).catch(() => undefined)];
          await Promise.race([woken, stop, ...sleeps]);
          timer.abort();
        }
        if (signal.aborted) return;
        let gone = false;
        for (const event of queue.splice(0)) {
          const rv = event.object?.metadata?.resourceVersion;
          if (event.type === "ERROR") {
            const code = (event.object as { code?: unknown } | undefined)?.code;
            if (code === 410) gone = true;
            else source.log.warn({ status: event.object }, "The lock watch reported an error");
            continue;
          }
          if (rv) resourceVersion = rv;
          const name = event.object?.metadata?.name ?? "";
          if (event.type === "ADDED" || event.type === "MODIFIED") objects.set(name, event.object);
          else if (event.type === "DELETED") objects.delete(name);
        }
        if (gone) {
          resourceVersion = undefined; // 410 Gone: our version was compacted away, start over
          break;
        }
        const next = current();
        const nextKey = stateKey(next);
        if (nextKey !== lastKey) {
          lastKey = nextKey;
          yield next;
          if (signal.aborted) return;
        }
        if (ended !== undefined && queue.length === 0) break;
      }
    } finally {
      controller?.abort();
    }
    if (signal.aborted) return;
    const error = (ended as { error: unknown } | undefined)?.error;
    // Some proxies answer a too-old watch with HTTP 410 instead of an ERROR event: relist too.
    if ((error as { statusCode?: unknown } | undefined)?.statusCode === 410) {
      resourceVersion = undefined;
      await pause();
      continue;
    }
    const timeout = error instanceof Error && error.name === "TimeoutError";
    // A stream that ended quietly after events is routine (the server closes watches); one that
    // failed, or ended at once with nothing, waits a moment so a broken server is not hammered.
    if (resourceVersion !== undefined && !timeout && (error || received === 0)) {
      if (error) source.log.debug({ err: error }, "The lock watch ended, reconnecting");
      await pause();
    } else failures = 0;
  }
}

/** Milliseconds until the earliest holder expires, if any does. */
function nextExpiry(state: LockState, now: Date): number | undefined {
  const times = state.holders.flatMap((h) => (h.expiresAt ? [h.expiresAt.getTime() - now.getTime()] : []));
  if (times.length === 0) return undefined;
  return Math.max(1, Math.min(...times));
}
