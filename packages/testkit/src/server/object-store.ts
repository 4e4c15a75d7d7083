/**
 * The object store behind the API server: one global, monotonically increasing resourceVersion
 * (as etcd's revision), objects kept per storage bucket and sorted by `<namespace>/<name>` (as
 * etcd keys sort), and a bounded history of changes from which watches resume. A watch asking
 * for a version older than the retained history gets 410 Gone, as after an etcd compaction.
 */
import type { StoredObject } from "./types.js";

/** One change to the store. */
export interface StoreEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  /** storage bucket, e.g. "/nodes" or "apps/daemonsets" */
  storage: string;
  /** the resourceVersion this change produced */
  rv: number;
  object: StoredObject;
  /** the object before this change (MODIFIED and DELETED) */
  previous?: StoredObject;
}

/** Result of asking for the changes after a version. */
export type HistoryAnswer = { expired: false; events: StoreEvent[] } | { expired: true; oldest: number };

function keyOf(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

/** The object store; objects handed out must be treated as read-only (copy before changing). */
export class ObjectStore {
  private rv = 0;
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  private history: StoreEvent[] = [];
  /** changes with rv ≤ this are no longer retained */
  private compactedThrough = 0;
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  /** `historyLimit`: how many changes watches can resume from. */
  constructor(private readonly historyLimit = 5000) {}

  /** The store's current resourceVersion. */
  get resourceVersion(): number {
    return this.rv;
  }

  /** Allocates the next resourceVersion (for a write about to happen). */
  nextResourceVersion(): number {
    this.rv += 1;
    return this.rv;
  }

  private bucket(storage: string): Map<string, StoredObject> {
    let b = this.buckets.get(storage);
    if (!b) {
      b = new Map();
      this.buckets.set(storage, b);
    }
    return b;
  }

  /** The stored object, or undefined. */
  get(storage: string, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.buckets.get(storage)?.get(keyOf(namespace, name));
  }

  /** All objects of a bucket (optionally one namespace), in key order. */
  list(storage: string, namespace?: string): StoredObject[] {
    const b = this.buckets.get(storage);
    if (!b) return [];
    const entries = [...b.entries()];
    const prefix = namespace === undefined ? undefined : `${namespace}/`;
    return entries
      .filter(([k]) => prefix === undefined || k.startsWith(prefix))
      .sort(([a], [b2]) => (a < b2 ? -1 : a > b2 ? 1 : 0))
      .map(([, v]) => v);
  }

  /** All bucket names that hold objects. */
  storages(): string[] {
    return [...this.buckets.keys()];
  }

  /** Stores an object whose metadata.resourceVersion was set from nextResourceVersion(). */
  put(storage: string, object: StoredObject): StoreEvent {
    const b = this.bucket(storage);
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    const previous = b.get(key);
    b.set(key, object);
    const event: StoreEvent = {
      type: previous ? "MODIFIED" : "ADDED",
      storage,
      rv: Number(object.metadata.resourceVersion),
      object,
    };
    if (previous) event.previous = previous;
    this.record(event);
    return event;
  }

  /** Removes an object; `final` is its last state, carrying a fresh resourceVersion. */
  remove(storage: string, final: StoredObject): StoreEvent | undefined {
    const b = this.buckets.get(storage);
    const key = keyOf(final.metadata.namespace, final.metadata.name);
    const previous = b?.get(key);
    if (!b || !previous) return undefined;
    b.delete(key);
    const event: StoreEvent = {
      type: "DELETED",
      storage,
      rv: Number(final.metadata.resourceVersion),
      object: final,
      previous,
    };
    this.record(event);
    return event;
  }

  private record(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const drop = this.history.length - this.historyLimit;
      this.compactedThrough = (this.history[drop - 1] as StoreEvent).rv;
      this.history = this.history.slice(drop);
    }
    for (const l of this.listeners) l(event);
  }

  /** The changes after `rv`, or `expired` when some of them are no longer retained. */
  changesSince(rv: number): HistoryAnswer {
    if (rv < this.compactedThrough) return { expired: true, oldest: this.compactedThrough + 1 };
    // history is sorted by rv: binary search for the first event after rv
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.history[mid] as StoreEvent).rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return { expired: false, events: this.history.slice(lo) };
  }

  /** Forgets all retained history, so watches from any earlier version get 410 Gone. */
  compact(): void {
    this.compactedThrough = this.rv;
    this.history = [];
  }

  /** Calls `listener` synchronously after every change; returns the unsubscribe function. */
  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
