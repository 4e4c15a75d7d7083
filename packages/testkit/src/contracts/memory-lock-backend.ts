import {
  renewedSince,
  systemClock,
  type AcquireRequest,
  type AcquireResult,
  type AdoptRequest,
  type Clock,
  type LockBackend,
  type LockSlot,
  type LockState,
} from "@kured/core";

/** How to build an in-memory lock. */
export interface MemoryLockOptions {
  /** maximum simultaneous holders (`--concurrency`); default 1 */
  readonly capacity?: number;
  /** slot lifetime in ms; 0 (default) = slots never expire */
  readonly ttlMs?: number;
  /** the clock that stamps and expires slots; default the system clock */
  readonly clock?: Clock;
}

/** The shared state behind every view of one in-memory lock; each operation is synchronous, hence atomic. */
class LockTable {
  readonly capacity: number;
  readonly #ttlMs: number;
  readonly #clock: Clock;
  readonly #holders = new Map<string, LockSlot>();
  #manual: LockState["manual"];
  /** resolved (and replaced) on every change, waking `changes()` iterators */
  #changed = deferred();

  constructor(options: MemoryLockOptions = {}) {
    this.capacity = options.capacity ?? 1;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) {
      throw new RangeError(`capacity must be an integer >= 1, got ${this.capacity}`);
    }
    this.#ttlMs = options.ttlMs ?? 0;
    this.#clock = options.clock ?? systemClock;
  }

  state(): LockState {
    this.#expire();
    return {
      capacity: this.capacity,
      holders: [...this.#holders.values()],
      queue: [],
      ...(this.#manual ? { manual: this.#manual } : {}),
    };
  }

  lockManually(reason?: string): void {
    this.#manual = { since: this.#clock.now(), ...(reason === undefined ? {} : { reason }) };
    this.#notify();
  }

  unlockManually(): void {
    this.#manual = undefined;
    this.#notify();
  }

  acquire(holder: string, wasUnschedulable: boolean, process?: string, bootId?: string): AcquireResult {
    this.#expire();
    const held = this.#holders.get(holder);
    if (held && owns(held, process)) return { acquired: true, slot: held };
    if (held) {
      return {
        acquired: false,
        holders: [...this.#holders.values()],
        reason: {
          code: "lock-held-by-other-process",
          message: `the lock slot of node ${holder} is held by another process`,
        },
      };
    }
    if (this.#manual) {
      return {
        acquired: false,
        holders: [...this.#holders.values()],
        reason: {
          code: "lock-held-manually",
          message: `the lock is held manually${this.#manual.reason ? `: ${this.#manual.reason}` : ""}`,
        },
      };
    }
    if (this.#holders.size >= this.capacity) {
      const names = [...this.#holders.keys()].join(", ");
      return {
        acquired: false,
        holders: [...this.#holders.values()],
        reason: { code: "lock-busy", message: `all ${this.capacity} lock slots are held (${names})` },
      };
    }
    const acquiredAt = this.#clock.now();
    const slot: LockSlot = {
      holder,
      acquiredAt,
      wasUnschedulable,
      renewedAt: acquiredAt,
      ...(this.#ttlMs > 0 ? { expiresAt: new Date(acquiredAt.getTime() + this.#ttlMs) } : {}),
      ...(process ? { process } : {}),
      ...(bootId ? { bootId } : {}),
    };
    this.#holders.set(holder, slot);
    this.#notify();
    return { acquired: true, slot };
  }

  holding(holder: string): LockSlot | undefined {
    this.#expire();
    return this.#holders.get(holder);
  }

  release(holder: string, process?: string): void {
    this.#expire();
    const held = this.#holders.get(holder);
    if (held && owns(held, process) && this.#holders.delete(holder)) this.#notify();
  }

  /** Renews (or, with `from`, hands over) the holder's slot when `accept` allows it. */
  rewrite(holder: string, accept: (slot: LockSlot) => Partial<LockSlot> | undefined): LockSlot | undefined {
    this.#expire();
    const held = this.#holders.get(holder);
    const change = held && accept(held);
    if (!held || !change) return undefined;
    const now = this.#clock.now();
    const slot: LockSlot = {
      ...held,
      ...change,
      renewedAt: now,
      ...(this.#ttlMs > 0 ? { expiresAt: new Date(now.getTime() + this.#ttlMs) } : {}),
    };
    this.#holders.set(holder, slot);
    this.#notify();
    return slot;
  }

  async *changes(signal: AbortSignal): AsyncGenerator<LockState> {
    const aborted = new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    while (!signal.aborted) {
      const next = this.#changed.promise;
      yield this.state();
      await Promise.race([next, aborted]);
    }
  }

  #expire(): void {
    const now = this.#clock.now().getTime();
    let expired = false;
    for (const [holder, slot] of this.#holders) {
      if (slot.expiresAt && slot.expiresAt.getTime() <= now) {
        this.#holders.delete(holder);
        expired = true;
      }
    }
    if (expired) this.#notify();
  }

  #notify(): void {
    const changed = this.#changed;
    this.#changed = deferred();
    changed.resolve();
  }
}

/**
 * The reference lock: one shared state in memory, with one {@link LockBackend} view per node
 * (`lock.backend()`), as every node's daemon has its own backend talking to one cluster object.
 * Every operation is atomic, so it is correct under any interleaving; it is the implementation
 * the lock contract suite is proven against, and a fast stand-in in coordinator tests. There is no
 * waiting queue (`queue` is always empty); expired slots are dropped lazily, on the next operation.
 */
export class MemoryLock {
  readonly #table: LockTable;

  constructor(options: MemoryLockOptions = {}) {
    this.#table = new LockTable(options);
  }

  /** Maximum simultaneous holders. */
  get capacity(): number {
    return this.#table.capacity;
  }

  /** A backend view of this lock, as one node's daemon would have; `id` is the backend id. */
  backend(id = "memory"): LockBackend {
    return new MemoryLockBackend(this.#table, id);
  }

  /** The current state, read synchronously (for assertions). */
  state(): LockState {
    return this.#table.state();
  }

  /** Takes the lock by hand (like annotating the DaemonSet): every acquire is refused until `unlockManually`. */
  lockManually(reason?: string): void {
    this.#table.lockManually(reason);
  }

  /** Lifts a manual lock. */
  unlockManually(): void {
    this.#table.unlockManually();
  }
}

/** One node's view of a lock table: async and signal-aware, as a real backend is. */
class MemoryLockBackend implements LockBackend {
  readonly id: string;
  readonly #lock: LockTable;

  constructor(lock: LockTable, id: string) {
    this.#lock = lock;
    this.id = id;
  }

  /** Takes a slot, or answers busy with the holders and a `lock-busy` reason. */
  async acquire(req: AcquireRequest): Promise<AcquireResult> {
    req.signal.throwIfAborted();
    return this.#lock.acquire(req.holder, req.wasUnschedulable, req.process, req.bootId);
  }

  /** The holder's slot, if it holds one. */
  async holding(req: { holder: string; signal: AbortSignal }): Promise<LockSlot | undefined> {
    req.signal.throwIfAborted();
    return this.#lock.holding(req.holder);
  }

  /** Frees the holder's slot (with `process`: only that process's); a non-holder changes nothing. */
  async release(req: { holder: string; signal: AbortSignal; process?: string }): Promise<void> {
    req.signal.throwIfAborted();
    this.#lock.release(req.holder, req.process);
  }

  /** Renews `process`'s slot; undefined when it holds none. */
  async renew(req: { holder: string; process: string; signal: AbortSignal }): Promise<LockSlot | undefined> {
    req.signal.throwIfAborted();
    return this.#lock.rewrite(req.holder, (slot) => (owns(slot, req.process) ? {} : undefined));
  }

  /** Hands the holder's slot from process `from` to `process`, if it is still `from`'s. */
  async adopt(req: AdoptRequest): Promise<LockSlot | undefined> {
    req.signal.throwIfAborted();
    return this.#lock.rewrite(req.holder, (slot) =>
      slot.process === req.from && !renewedSince(slot, req.heartbeat)
        ? { process: req.process, ...(req.bootId ? { bootId: req.bootId } : {}) }
        : undefined,
    );
  }

  /** The current state. */
  async inspect(req: { signal: AbortSignal }): Promise<LockState> {
    req.signal.throwIfAborted();
    return this.#lock.state();
  }

  /** The state now and after every change; ends when the signal aborts. */
  changes(req: { signal: AbortSignal }): AsyncIterable<LockState> {
    return this.#lock.changes(req.signal);
  }
}

/** A slot is `process`'s when it names that process, names none, or the caller names none. */
function owns(slot: LockSlot, process: string | undefined): boolean {
  return process === undefined || slot.process === undefined || slot.process === process;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
