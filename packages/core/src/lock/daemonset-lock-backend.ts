/**
 * The default lock, byte-compatible with Go kured: an annotation on kured's own DaemonSet.
 * Every operation reads the DaemonSet, plans the next value (annotation-lock-plan.ts) and writes
 * it with a JSON merge patch carrying the resourceVersion it read, so a concurrent writer — ours
 * or Go kured's full-object Update — makes it fail with 409 and we start over from a fresh read
 * after a short jittered pause. Other API errors are thrown.
 */
import type { V1DaemonSet, V1DaemonSetList } from "@kubernetes/client-node";
import type { AcquireRequest, AcquireResult, AdoptRequest, LockSlot, LockState } from "../contracts/lock-backend.js";
import { isKuredError, type KuredError } from "../errors/kured-error.js";
import {
  liveHolders,
  lockState,
  planAcquire,
  planLeaveQueue,
  planAdopt,
  planRelease,
  planRenew,
  toSlot,
  type PlannedWrite,
} from "./annotation-lock-plan.js";
import { backoffDelay, CONFLICT_BACKOFF } from "./backoff.js";
import { goneHolders, nodeGoneViaApi, type NodeGoneCheck } from "./gone-holders.js";
import { apiErrorInfo } from "../kube/api-errors.js";
import {
  formatLockAnnotation,
  isManualHolder,
  lockHolder,
  MANUAL_HOLDER,
  parseLockAnnotation,
  type LockAnnotation,
  type LockHolder,
} from "./lock-annotation.js";
import { resolveLockOptions, type LockBackendOptions, type ResolvedLockOptions } from "./lock-options.js";
import type { QueueingLockBackend } from "./queueing-lock-backend.js";
import { watchLock } from "./watch-lock.js";

/** Where the DaemonSet lock lives. */
export interface DaemonSetLockOptions extends LockBackendOptions {
  /** `--ds-namespace`; default kube-system */
  readonly namespace?: string;
  /** `--ds-name`; default kured */
  readonly name?: string;
  /** `--lock-annotation`; default weave.works/kured-node-lock */
  readonly annotation?: string;
}

/** The lock value read: absent, a lock, or something that is not a lock (which counts as held). */
type Current =
  | { readonly kind: "absent" }
  | { readonly kind: "lock"; readonly lock: LockAnnotation; readonly raw: string }
  | { readonly kind: "corrupt"; readonly raw: string; readonly error: KuredError };

/** The DaemonSet-annotation lock backend (`--lock-backend=daemonset`). */
export class DaemonSetLockBackend implements QueueingLockBackend {
  readonly id = "daemonset";
  readonly namespace: string;
  readonly name: string;
  readonly annotation: string;
  readonly #o: ResolvedLockOptions;
  readonly #gone: NodeGoneCheck | undefined;
  readonly #reported = new Set<string>();
  #corruptReads = 0;

  constructor(options: DaemonSetLockOptions) {
    this.#o = resolveLockOptions(options);
    this.namespace = options.namespace ?? "kube-system";
    this.name = options.name ?? "kured";
    this.annotation = options.annotation ?? "weave.works/kured-node-lock";
    const detect = this.#o.detectGoneHolders;
    this.#gone = typeof detect === "function" ? detect : detect ? nodeGoneViaApi(this.#o.kube, this.#o.log) : undefined;
  }

  /** How many times a corrupt lock value was read (each read counts). */
  get corruptReads(): number {
    return this.#corruptReads;
  }

  /** Takes a slot, or answers busy (joining the queue); a corrupt value answers busy with `lock-corrupt`. */
  async acquire(req: AcquireRequest): Promise<AcquireResult> {
    return this.#update(req.signal, async (current, now) => {
      if (current.kind === "corrupt") {
        const result: AcquireResult = {
          acquired: false,
          holders: [],
          reason: { code: "lock-corrupt", message: current.error.message },
        };
        return { write: undefined, result };
      }
      const lock = current.kind === "lock" ? current.lock : undefined;
      const s = this.#o.settings;
      const live = liveHolders(lock, now);
      const full = live.length >= s.concurrency && !live.some((h) => h.node === req.holder);
      const gone = full
        ? await goneHolders(
            live.map((h) => h.node),
            this.#gone,
            req.signal,
          )
        : new Set<string>();
      for (const node of gone) {
        this.#o.log.warn({ holder: node }, `Dropping lock holder ${node}: its Node object no longer exists`);
      }
      const plan = planAcquire(lock, { ...req, gone }, s, now);
      const result: AcquireResult = plan.acquired
        ? { acquired: true, slot: plan.slot }
        : { acquired: false, holders: plan.holders, reason: plan.reason };
      return { write: plan.write, result };
    });
  }

  /** The holder's unexpired slot, if it has one. */
  async holding(req: { holder: string; signal: AbortSignal }): Promise<LockSlot | undefined> {
    const { current, now } = await this.#read(req.signal);
    if (current.kind !== "lock") return undefined;
    const mine = liveHolders(current.lock, now).find((h) => h.node === req.holder);
    return mine && toSlot(mine);
  }

  /** Waits the release delay, then frees the holder's slot (with `process`: only that process's); a non-holder changes nothing. */
  async release(req: { holder: string; signal: AbortSignal; process?: string }): Promise<void> {
    if (this.#o.releaseDelayMs > 0) await this.#o.clock.sleep(this.#o.releaseDelayMs, req.signal);
    const released = await this.releaseHolder(req);
    if (!released) this.#o.log.debug({ holder: req.holder }, "Release: the lock was not held by this node");
  }

  /** Frees `holder`'s slot at once (with `process`: only that process's); false when it held none. */
  async releaseHolder(req: { holder: string; signal: AbortSignal; process?: string }): Promise<boolean> {
    return this.#update(req.signal, async (current, now) => {
      if (current.kind !== "lock") return { write: undefined, result: false };
      const plan = planRelease(current.lock, req.holder, this.#o.settings, now, req.process);
      return { write: plan.write, result: plan.released };
    });
  }

  /** Renews `process`'s slot (heartbeat, and `created` with a TTL); undefined when it holds none. */
  async renew(req: {
    holder: string;
    process: string;
    bootId?: string;
    signal: AbortSignal;
  }): Promise<LockSlot | undefined> {
    return this.#update(req.signal, async (current, now) => {
      if (current.kind !== "lock") return { write: undefined, result: undefined };
      const plan = planRenew(current.lock, req.holder, req.process, this.#o.settings, now, req.bootId);
      return { write: plan?.write, result: plan?.slot };
    });
  }

  /** Hands `holder`'s slot from process `from` to `process`, if it is still `from`'s. */
  async adopt(req: AdoptRequest): Promise<LockSlot | undefined> {
    return this.#update(req.signal, async (current, now) => {
      if (current.kind !== "lock") return { write: undefined, result: undefined };
      const plan = planAdopt(current.lock, req, this.#o.settings, now);
      return { write: plan?.write, result: plan?.slot };
    });
  }

  /** Leaves the waiting queue (blocked, outside the window, no reboot needed); false when not queued. */
  async leaveQueue(req: { holder: string; signal: AbortSignal }): Promise<boolean> {
    return this.#update(req.signal, async (current, now) => {
      if (current.kind !== "lock") return { write: undefined, result: false };
      const write = planLeaveQueue(current.lock, req.holder, this.#o.settings, now);
      return { write, result: write !== undefined };
    });
  }

  /**
   * Takes the manual lock. In the multi format it adds as many `manual` entries as the concurrency,
   * so that Go kured (which ignores a manual lock above concurrency 1) finds the lock full too.
   */
  async takeManually(req: { reason?: string; signal: AbortSignal }): Promise<LockState> {
    return this.#update(req.signal, async (current, now) => {
      if (current.kind === "corrupt") throw current.error;
      const lock = current.kind === "lock" ? current.lock : undefined;
      const s = this.#o.settings;
      const live = liveHolders(lock, now);
      if (live.some(isManualHolder)) return { write: undefined, result: lockState(lock, s, now) };
      const manual = lockHolder({ node: MANUAL_HOLDER, created: now });
      const copies = s.concurrency > 1 ? s.concurrency : 1;
      const holders: LockHolder[] = [...live, ...Array.from({ length: copies }, () => manual)];
      const concurrency = holders.length > 1 ? Math.max(s.concurrency, 2) : 1;
      const reason = req.reason ? { reason: req.reason } : {};
      const next = { holders, queue: lock?.queue ?? [], ...reason };
      const after: LockAnnotation = {
        format: concurrency > 1 ? "multi" : "single",
        capacity: s.concurrency,
        holders,
        queue: next.queue,
        ...reason,
      };
      return { write: { lock: next, concurrency }, result: lockState(after, s, now) };
    });
  }

  /** Holders, queue and the manual lock now; a corrupt value shows as a manual lock saying so. */
  async inspect(req: { signal: AbortSignal }): Promise<LockState> {
    const { current, now } = await this.#read(req.signal);
    return this.#state(current, now);
  }

  /** The state now and after every change of the DaemonSet's lock annotation, until the signal aborts. */
  changes(req: { signal: AbortSignal }): AsyncIterable<LockState> {
    return watchLock<V1DaemonSet>(
      {
        kube: this.#o.kube,
        path: this.#collection,
        query: { fieldSelector: `metadata.name=${this.name}` },
        list: async (signal) => {
          const list = await this.#o.kube.get<V1DaemonSetList>(this.#collection, {
            signal,
            query: { fieldSelector: `metadata.name=${this.name}` },
          });
          return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? "" };
        },
        state: (objects) => {
          const now = this.#o.clock.now();
          const raw = objects[0]?.metadata?.annotations?.[this.annotation];
          return this.#state(this.#decode(raw, false), now);
        },
        clock: this.#o.clock,
        log: this.#o.log,
        random: this.#o.random,
      },
      req.signal,
    );
  }

  get #collection(): string {
    return `/apis/apps/v1/namespaces/${encodeURIComponent(this.namespace)}/daemonsets`;
  }

  get #path(): string {
    return `${this.#collection}/${encodeURIComponent(this.name)}`;
  }

  #state(current: Current, now: Date): LockState {
    if (current.kind === "corrupt") {
      return {
        capacity: this.#o.settings.concurrency,
        holders: [],
        queue: [],
        manual: { reason: current.error.message },
      };
    }
    return lockState(current.kind === "lock" ? current.lock : undefined, this.#o.settings, now);
  }

  #decode(raw: string | undefined, report = true): Current {
    if (raw === undefined) return { kind: "absent" };
    try {
      return { kind: "lock", lock: parseLockAnnotation(raw, { concurrency: this.#o.settings.concurrency }), raw };
    } catch (e) {
      if (!isKuredError(e)) throw e;
      if (report) {
        this.#corruptReads++;
        if (!this.#reported.has(raw)) {
          this.#reported.add(raw);
          this.#o.log.error(
            { annotation: this.annotation, daemonset: `${this.namespace}/${this.name}`, value: raw },
            `The lock annotation ${this.annotation} on ${this.namespace}/${this.name} is not a kured lock; ` +
              "no node will reboot until it is fixed or removed",
          );
        }
        this.#o.onCorrupt?.({ value: raw, error: e });
      }
      return { kind: "corrupt", raw, error: e };
    }
  }

  async #read(signal: AbortSignal): Promise<{ current: Current; now: Date; resourceVersion: string | undefined }> {
    signal.throwIfAborted();
    const ds = await this.#o.kube.get<V1DaemonSet>(this.#path, { signal });
    return {
      current: this.#decode(ds.metadata?.annotations?.[this.annotation]),
      now: this.#o.clock.now(),
      resourceVersion: ds.metadata?.resourceVersion,
    };
  }

  /** Read, plan, write conditionally; on 409 start over after a jittered pause (never a spin). */
  async #update<T>(
    signal: AbortSignal,
    plan: (current: Current, now: Date) => Promise<{ write: PlannedWrite; result: T }>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const { current, now, resourceVersion } = await this.#read(signal);
      const { write, result } = await plan(current, now);
      if (write === undefined) return result;
      const value =
        write === "remove" ? null : (formatLockAnnotation(write.lock, { concurrency: write.concurrency }) ?? null);
      const before = current.kind === "absent" ? null : current.raw;
      if (value === before) return result;
      try {
        await this.#o.kube.patch(
          this.#path,
          { metadata: { resourceVersion, annotations: { [this.annotation]: value } } },
          { signal },
        );
        return result;
      } catch (error) {
        if (apiErrorInfo(error).code !== 409) throw error;
        await this.#o.clock.sleep(backoffDelay(attempt, { ...CONFLICT_BACKOFF, random: this.#o.random }), signal);
      }
    }
  }
}

/** Creates the DaemonSet-annotation backend (async for the callers that awaited it before). */
export async function createDaemonSetLockBackend(options: DaemonSetLockOptions): Promise<DaemonSetLockBackend> {
  return new DaemonSetLockBackend(options);
}
