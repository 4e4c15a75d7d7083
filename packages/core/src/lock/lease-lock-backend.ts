/**
 * The Lease lock (`--lock-backend=lease`): one coordination.k8s.io/v1 Lease per slot,
 * `<ds-name>-lock-<n>` for n < concurrency in `--ds-namespace`, holderIdentity = node. A slot is
 * taken by creating its Lease or replacing it with the resourceVersion read, so two nodes can
 * never hold one slot, and at most `concurrency` slots exist to hold. A companion Lease
 * `<ds-name>-lock-queue` carries the FIFO queue and the manual lock in annotations.
 *
 * Expiry: with `--lock-ttl` the Lease gets `leaseDurationSeconds` and is held while
 * `renewTime + leaseDurationSeconds > now` (the holder renews while alive and not rebooting, see
 * `renew`); with TTL 0 (kured's default) the duration is left unset and the slot never expires.
 */
import type { V1Lease, V1LeaseList, V1MicroTime } from "@kubernetes/client-node";
import { KubeApiError, type KubeApi } from "../kube/kube-api.js";
import {
  renewedSince,
  type AcquireRequest,
  type AcquireResult,
  type AdoptRequest,
  type LockQueueEntry,
  type LockSlot,
  type LockState,
} from "../contracts/lock-backend.js";
import type { Reason } from "../contracts/reason.js";
import { backoffDelay, CONFLICT_BACKOFF } from "./backoff.js";
import { goneHolders, nodeGoneViaApi, type NodeGoneCheck } from "./gone-holders.js";
import { apiErrorInfo } from "../kube/api-errors.js";
import { formatGoTime, goTimeFromDate, parseGoTime, goTimeToDate } from "./go-time.js";
import { resolveLockOptions, type LockBackendOptions, type ResolvedLockOptions } from "./lock-options.js";
import { freshQueue, joinQueue, mayTakeSlot } from "./lock-queue.js";
import type { QueueingLockBackend } from "./queueing-lock-backend.js";
import { watchLock } from "./watch-lock.js";
import { ownedBy } from "./annotation-lock-plan.js";

/** Label on every Lease of one lock: its value is `--ds-name`. */
export const LEASE_LOCK_LABEL = "kured.dev/lock";
/** Label saying what a Lease of the lock is: `slot` or `queue`. */
export const LEASE_ROLE_LABEL = "kured.dev/lock-role";
/** Annotation on a slot Lease: the holder's node was cordoned before it took the slot. */
export const LEASE_UNSCHEDULABLE_ANNOTATION = "kured.dev/unschedulable";
/** Annotation on a slot Lease: the process holding it (random per process start). */
export const LEASE_PROCESS_ANNOTATION = "kured.dev/process";
/** Annotation on a slot Lease: the holder node's boot ID when it took (or adopted) the slot. */
export const LEASE_BOOT_ID_ANNOTATION = "kured.dev/boot-id";
/** Annotation on the queue Lease: the FIFO queue, JSON. */
export const LEASE_QUEUE_ANNOTATION = "kured.dev/lock-queue";
/** Annotation on the queue Lease: the manual lock, JSON `{"reason":…,"since":…}`. */
export const LEASE_MANUAL_ANNOTATION = "kured.dev/lock-manual";

/** Where the Lease lock lives. */
export interface LeaseLockOptions extends LockBackendOptions {
  /** `--ds-namespace`; default kube-system */
  readonly namespace?: string;
  /** `--ds-name`, the prefix of the Lease names; default kured */
  readonly name?: string;
}

/** The Lease calls the backend makes, over the REST client. */
interface LeaseClient {
  listNamespacedLease(p: { namespace: string; labelSelector: string }, signal: AbortSignal): Promise<V1LeaseList>;
  readNamespacedLease(p: { name: string; namespace: string }, signal: AbortSignal): Promise<V1Lease>;
  createNamespacedLease(p: { namespace: string; body: V1Lease }, signal: AbortSignal): Promise<V1Lease>;
  replaceNamespacedLease(p: { name: string; namespace: string; body: V1Lease }, signal: AbortSignal): Promise<V1Lease>;
}

const LEASE_TYPE = { apiVersion: "coordination.k8s.io/v1", kind: "Lease" } as const;

/**
 * The shipped RBAC grants get and update only on the lock's Lease names (other components keep
 * their leader-election Leases in kube-system), listed for one concurrency: a 403 on a named
 * Lease says which name to add, e.g. kured-lock-2 after --concurrency was raised to 3.
 */
function withPinningHint(error: unknown, verb: "get" | "update", namespace: string, name: string): unknown {
  if (!(error instanceof KubeApiError) || error.code !== 403) return error;
  let status: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(error.body);
    if (parsed && typeof parsed === "object") status = parsed as Record<string, unknown>;
  } catch {
    // not a Status: keep the hint alone
  }
  const hint =
    `grant "${verb}" on the Lease ${namespace}/${name}: add "${name}" to the resourceNames of kured's Lease ` +
    "rule (deploy/kured-rbac.yaml lists the names for --concurrency=1: <ds-name>-lock-0 … <ds-name>-lock-<N-1> " +
    "and <ds-name>-lock-queue; the Helm chart renders them from configuration.concurrency)";
  const message = typeof status.message === "string" && status.message ? `${status.message}; ${hint}` : hint;
  const path = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`;
  return new KubeApiError(403, JSON.stringify({ ...status, message }), verb === "get" ? "GET" : "PUT", path);
}

function leaseClient(kube: KubeApi): LeaseClient {
  const collection = (namespace: string): string =>
    `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  return {
    listNamespacedLease: (p, signal) =>
      kube.get(collection(p.namespace), { signal, query: { labelSelector: p.labelSelector } }),
    readNamespacedLease: (p, signal) =>
      kube
        .get<V1Lease>(`${collection(p.namespace)}/${encodeURIComponent(p.name)}`, { signal })
        .catch((e: unknown) => Promise.reject(withPinningHint(e, "get", p.namespace, p.name))),
    // list items carry no apiVersion/kind; the API server wants them in a write's body
    createNamespacedLease: (p, signal) => kube.post(collection(p.namespace), { ...p.body, ...LEASE_TYPE }, { signal }),
    replaceNamespacedLease: (p, signal) =>
      kube
        .put<V1Lease>(
          `${collection(p.namespace)}/${encodeURIComponent(p.name)}`,
          { ...p.body, ...LEASE_TYPE },
          { signal },
        )
        .catch((e: unknown) => Promise.reject(withPinningHint(e, "update", p.namespace, p.name))),
  };
}

/** The lock's Leases as read in one list. */
interface Snapshot {
  readonly slots: ReadonlyMap<number, V1Lease>;
  readonly queueLease: V1Lease | undefined;
  readonly queue: readonly LockQueueEntry[];
  readonly manual: { readonly reason?: string; readonly since?: Date } | undefined;
}

/** MicroTime as the API server wants it: exactly six fractional digits (a Date gives three). */
function microTime(date: Date): V1MicroTime {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z") as unknown as V1MicroTime;
}

/** MicroTime fields arrive as strings (the client does not revive them). */
function readTime(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value !== "string") return undefined;
  const t = parseGoTime(value);
  return t ? goTimeToDate(t) : undefined;
}

function parseQueue(raw: string | undefined): LockQueueEntry[] {
  if (!raw) return [];
  try {
    const items = JSON.parse(raw) as unknown;
    if (!Array.isArray(items)) return [];
    return items.flatMap((item: { nodeID?: unknown; since?: unknown; refreshed?: unknown }) => {
      const since = readTime(item?.since);
      const refreshedAt = readTime(item?.refreshed) ?? since;
      return typeof item?.nodeID === "string" && item.nodeID && since && refreshedAt
        ? [{ node: item.nodeID, since, refreshedAt }]
        : [];
    });
  } catch {
    return []; // our own extension: a damaged queue is dropped, never fatal
  }
}

function formatQueue(queue: readonly LockQueueEntry[]): string {
  const time = (d: Date): string => formatGoTime(goTimeFromDate(d));
  return JSON.stringify(queue.map((q) => ({ nodeID: q.node, since: time(q.since), refreshed: time(q.refreshedAt) })));
}

function parseManual(raw: string | undefined): Snapshot["manual"] {
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw) as { reason?: unknown; since?: unknown };
    const since = readTime(value?.since);
    return {
      ...(typeof value?.reason === "string" && value.reason ? { reason: value.reason } : {}),
      ...(since ? { since } : {}),
    };
  } catch {
    return { reason: `unreadable manual lock annotation: ${raw}` };
  }
}

/** A slot Lease's annotations without the previous holder's. */
function withoutHolderAnnotations(annotations: Record<string, string> | undefined): Record<string, string> {
  const rest = { ...annotations };
  delete rest[LEASE_PROCESS_ANNOTATION];
  delete rest[LEASE_BOOT_ID_ANNOTATION];
  return rest;
}

/** The Lease lock backend. */
export class LeaseLockBackend implements QueueingLockBackend {
  readonly id = "lease";
  readonly namespace: string;
  readonly name: string;
  readonly #o: ResolvedLockOptions;
  readonly #leases: LeaseClient;
  readonly #gone: NodeGoneCheck | undefined;

  constructor(options: LeaseLockOptions) {
    this.#o = resolveLockOptions(options);
    this.namespace = options.namespace ?? "kube-system";
    this.name = options.name ?? "kured";
    this.#leases = leaseClient(this.#o.kube);
    const detect = this.#o.detectGoneHolders;
    this.#gone = typeof detect === "function" ? detect : detect ? nodeGoneViaApi(this.#o.kube, this.#o.log) : undefined;
  }

  /** The name of slot `n`'s Lease. */
  slotName(n: number): string {
    return `${this.name}-lock-${n}`;
  }

  /** The name of the queue Lease. */
  get queueName(): string {
    return `${this.name}-lock-queue`;
  }

  /** Takes a free slot (the queue's head first), or answers busy and joins the queue. */
  async acquire(req: AcquireRequest): Promise<AcquireResult> {
    const s = this.#o.settings;
    for (let attempt = 0; ; attempt++) {
      const snap = await this.#snapshot(req.signal);
      const now = this.#o.clock.now();
      const live = this.#liveSlots(snap, now);
      const mine = live.find(([, slot]) => slot.holder === req.holder);
      if (mine && ownedBy(mine[1], req.process)) return { acquired: true, slot: mine[1] };
      if (mine) {
        const reason: Reason = {
          code: "lock-held-by-other-process",
          message:
            `the lock slot of node ${req.holder} is held by another kured process (${mine[1].process}); ` +
            "are two kured processes running with the same --node-id?",
        };
        return { acquired: false, holders: live.map(([, slot]) => slot), reason };
      }
      if (snap.manual) {
        const why = snap.manual.reason ? `: ${snap.manual.reason}` : "";
        const reason: Reason = { code: "lock-held-manually", message: `the lock is held manually${why}` };
        return { acquired: false, holders: live.map(([, slot]) => slot), reason };
      }
      const full = live.length >= s.concurrency;
      const gone = full
        ? await goneHolders(
            live.map(([, slot]) => slot.holder),
            this.#gone,
            req.signal,
          )
        : new Set<string>();
      const holding = live.filter(([, slot]) => !gone.has(slot.holder));
      const fresh = freshQueue(snap.queue, now, s.staleMs, new Set(holding.map(([, slot]) => slot.holder)));
      if (mayTakeSlot(req.holder, s.concurrency - holding.length, fresh)) {
        // Leftover holders of slots ≥ concurrency (from a larger --concurrency) shrink the usable range.
        const leftover = holding.filter(([n]) => n >= s.concurrency).length;
        const taken = new Set(holding.map(([n]) => n));
        const n = Array.from({ length: s.concurrency - leftover }, (_, i) => i).find((i) => !taken.has(i));
        if (n !== undefined) {
          const slot = await this.#take(n, snap.slots.get(n), req, now, gone);
          if (slot) {
            await this.#writeQueue(req.signal, (queue) => queue.filter((q) => q.node !== req.holder)).catch((e) =>
              this.#o.log.debug({ err: e }, "Could not remove this node from the lock queue; it is skipped anyway"),
            );
            return { acquired: true, slot };
          }
          await this.#pause(attempt, req.signal);
          continue;
        }
      }
      const joined = joinQueue(fresh, req.holder, now, s.refreshAfterMs);
      if (joined.changed) {
        await this.#writeQueue(req.signal, (queue) => {
          const current = freshQueue(queue, now, s.staleMs, new Set(holding.map(([, slot]) => slot.holder)));
          return joinQueue(current, req.holder, now, s.refreshAfterMs).queue;
        });
      }
      const names = holding.map(([, slot]) => slot.holder).join(", ");
      return {
        acquired: false,
        holders: holding.map(([, slot]) => slot),
        reason: { code: "lock-busy", message: `all ${s.concurrency} lock slot(s) are held or promised (${names})` },
      };
    }
  }

  /** The holder's unexpired slot, if it has one. */
  async holding(req: { holder: string; signal: AbortSignal }): Promise<LockSlot | undefined> {
    const snap = await this.#snapshot(req.signal);
    return this.#liveSlots(snap, this.#o.clock.now()).find(([, slot]) => slot.holder === req.holder)?.[1];
  }

  /** Waits the release delay, then frees the holder's slot (with `process`: only that process's); a non-holder changes nothing. */
  async release(req: { holder: string; signal: AbortSignal; process?: string }): Promise<void> {
    if (this.#o.releaseDelayMs > 0) await this.#o.clock.sleep(this.#o.releaseDelayMs, req.signal);
    await this.releaseHolder(req);
  }

  /** Frees `holder`'s slot at once (`manual` lifts the manual lock; with `process`: only that process's); false when it held none. */
  async releaseHolder(req: { holder: string; signal: AbortSignal; process?: string }): Promise<boolean> {
    if (req.holder === "manual") {
      let had = false;
      await this.#writeQueueLease(req.signal, (lease) => {
        had = lease?.metadata?.annotations?.[LEASE_MANUAL_ANNOTATION] !== undefined;
        return had ? { [LEASE_MANUAL_ANNOTATION]: null } : undefined;
      });
      return had;
    }
    let released = false;
    for (let attempt = 0; ; attempt++) {
      const snap = await this.#snapshot(req.signal);
      const mine = [...snap.slots].filter(
        ([, lease]) =>
          lease.spec?.holderIdentity === req.holder &&
          ownedBy({ process: lease.metadata?.annotations?.[LEASE_PROCESS_ANNOTATION] }, req.process),
      );
      if (mine.length === 0) return released;
      try {
        for (const [, lease] of mine) {
          const annotations = { ...lease.metadata?.annotations };
          delete annotations[LEASE_UNSCHEDULABLE_ANNOTATION];
          delete annotations[LEASE_PROCESS_ANNOTATION];
          delete annotations[LEASE_BOOT_ID_ANNOTATION];
          const spec = { ...lease.spec };
          delete spec.holderIdentity;
          await this.#leases.replaceNamespacedLease(
            {
              name: lease.metadata?.name ?? "",
              namespace: this.namespace,
              body: { ...lease, metadata: { ...lease.metadata, annotations }, spec },
            },
            req.signal,
          );
          released = true;
        }
        return released;
      } catch (error) {
        if (apiErrorInfo(error).code !== 409) throw error;
        await this.#pause(attempt, req.signal);
      }
    }
  }

  /** Leaves the waiting queue (blocked, outside the window, no reboot needed); false when not queued. */
  async leaveQueue(req: { holder: string; signal: AbortSignal }): Promise<boolean> {
    let queued = false;
    await this.#writeQueue(req.signal, (queue) => {
      queued = queue.some((q) => q.node === req.holder);
      return queue.filter((q) => q.node !== req.holder);
    });
    return queued;
  }

  /**
   * Renews the holder's slot (renewTime = now), so that with a TTL it expires only once the
   * holder stops renewing; call it at most every ttl/3 while alive and not rebooting. False when
   * the holder holds no unexpired slot.
   */
  async renew(req: { holder: string; signal: AbortSignal; process: string }): Promise<LockSlot | undefined>;
  async renew(req: { holder: string; signal: AbortSignal }): Promise<boolean>;
  async renew(req: { holder: string; signal: AbortSignal; process?: string }): Promise<LockSlot | boolean | undefined> {
    const slot = await this.#rewriteSlot(req, (slot) => (ownedBy(slot, req.process) ? {} : undefined));
    return req.process === undefined ? slot !== undefined : slot;
  }

  /** Hands `holder`'s slot from process `from` to `process`, if it is still `from`'s (and renews it). */
  async adopt(req: AdoptRequest): Promise<LockSlot | undefined> {
    return this.#rewriteSlot(req, (slot) =>
      slot.process === req.from && !renewedSince(slot, req.heartbeat)
        ? { [LEASE_PROCESS_ANNOTATION]: req.process, ...(req.bootId ? { [LEASE_BOOT_ID_ANNOTATION]: req.bootId } : {}) }
        : undefined,
    );
  }

  /**
   * Renews `holder`'s unexpired slot (renewTime = now) with these annotation changes, when `change`
   * allows it for the slot as read; the replace carries the resourceVersion read, so a concurrent
   * writer makes it start over. Undefined when there is no such slot.
   */
  async #rewriteSlot(
    req: { holder: string; signal: AbortSignal },
    change: (slot: LockSlot) => Record<string, string> | undefined,
  ): Promise<LockSlot | undefined> {
    for (let attempt = 0; ; attempt++) {
      const snap = await this.#snapshot(req.signal);
      const now = this.#o.clock.now();
      const mine = this.#liveSlots(snap, now).find(([, slot]) => slot.holder === req.holder);
      const lease = mine && snap.slots.get(mine[0]);
      const annotations = mine && change(mine[1]);
      if (!mine || !lease || !annotations) return undefined;
      const body: V1Lease = {
        ...lease,
        metadata: { ...lease.metadata, annotations: { ...lease.metadata?.annotations, ...annotations } },
        spec: { ...lease.spec, renewTime: microTime(now) },
      };
      try {
        await this.#leases.replaceNamespacedLease(
          { name: lease.metadata?.name ?? "", namespace: this.namespace, body },
          req.signal,
        );
        return this.#slotOf(body);
      } catch (error) {
        if (apiErrorInfo(error).code !== 409) throw error;
        await this.#pause(attempt, req.signal);
      }
    }
  }

  /**
   * Renews the holder's slot every `everyMs` (default a third of the TTL) until `signal` aborts —
   * the coordinator aborts it right before the reboot, so the slot then expires after the TTL if
   * the node does not come back. Resolves true when stopped by the signal, false as soon as the
   * slot is lost (expired and taken, or released); API errors are logged and retried next time.
   */
  async keepRenewed(req: { holder: string; signal: AbortSignal; everyMs?: number }): Promise<boolean> {
    if (this.#o.ttlMs <= 0) {
      // Nothing expires: just wait for the signal.
      await this.#o.clock.sleep(Infinity, req.signal).catch(() => undefined);
      return true;
    }
    const every = req.everyMs ?? Math.max(1000, this.#o.ttlMs / 3);
    for (;;) {
      try {
        await this.#o.clock.sleep(every, req.signal);
      } catch {
        return true;
      }
      try {
        if (!(await this.renew(req))) return false;
      } catch (error) {
        if (req.signal.aborted) return true;
        this.#o.log.warn({ err: error }, "Renewing the lock Lease failed, will retry");
      }
    }
  }

  /** Takes the manual lock: no node acquires a slot until it is released (holders keep theirs). */
  async takeManually(req: { reason?: string; signal: AbortSignal }): Promise<LockState> {
    const since = formatGoTime(goTimeFromDate(this.#o.clock.now()));
    const value = JSON.stringify({ ...(req.reason ? { reason: req.reason } : {}), since });
    await this.#writeQueueLease(req.signal, (lease) =>
      lease?.metadata?.annotations?.[LEASE_MANUAL_ANNOTATION] === undefined
        ? { [LEASE_MANUAL_ANNOTATION]: value }
        : undefined,
    );
    return this.inspect(req);
  }

  /** Holders with expiry, the fresh queue, the manual lock. */
  async inspect(req: { signal: AbortSignal }): Promise<LockState> {
    return this.#state(await this.#snapshot(req.signal), this.#o.clock.now());
  }

  /** The state now and after every change of the lock's Leases, until the signal aborts. */
  changes(req: { signal: AbortSignal }): AsyncIterable<LockState> {
    const labelSelector = `${LEASE_LOCK_LABEL}=${this.name}`;
    return watchLock<V1Lease>(
      {
        kube: this.#o.kube,
        path: `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.namespace)}/leases`,
        query: { labelSelector },
        list: async (signal) => {
          const list = await this.#leases.listNamespacedLease({ namespace: this.namespace, labelSelector }, signal);
          return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? "" };
        },
        state: (objects) => this.#state(this.#toSnapshot(objects), this.#o.clock.now()),
        clock: this.#o.clock,
        log: this.#o.log,
        random: this.#o.random,
      },
      req.signal,
    );
  }

  #state(snap: Snapshot, now: Date): LockState {
    const live = this.#liveSlots(snap, now);
    const holders = new Set(live.map(([, slot]) => slot.holder));
    return {
      capacity: this.#o.settings.concurrency,
      holders: live.map(([, slot]) => slot),
      queue: freshQueue(snap.queue, now, this.#o.settings.staleMs, holders),
      ...(snap.manual ? { manual: snap.manual } : {}),
    };
  }

  /** Unexpired held slots as [slot number, slot], by slot number. */
  #liveSlots(snap: Snapshot, now: Date): [number, LockSlot][] {
    const out: [number, LockSlot][] = [];
    for (const [n, lease] of [...snap.slots].sort(([a], [b]) => a - b)) {
      const slot = this.#slotOf(lease);
      if (!slot || (slot.expiresAt && slot.expiresAt.getTime() <= now.getTime())) continue;
      out.push([n, slot]);
    }
    return out;
  }

  /** The slot a Lease records, expired or not; undefined when nobody holds it. */
  #slotOf(lease: V1Lease): LockSlot | undefined {
    const spec = lease.spec;
    const holder = spec?.holderIdentity;
    if (!holder) return undefined;
    const acquiredAt = readTime(spec?.acquireTime) ?? readTime(spec?.renewTime) ?? new Date(0);
    const renewedAt = readTime(spec?.renewTime) ?? acquiredAt;
    const seconds = spec?.leaseDurationSeconds ?? 0;
    const expiresAt = seconds > 0 ? new Date(renewedAt.getTime() + seconds * 1000) : undefined;
    const annotations = lease.metadata?.annotations ?? {};
    const process = annotations[LEASE_PROCESS_ANNOTATION];
    const bootId = annotations[LEASE_BOOT_ID_ANNOTATION];
    return {
      holder,
      acquiredAt,
      wasUnschedulable: annotations[LEASE_UNSCHEDULABLE_ANNOTATION] === "true",
      renewedAt,
      ...(expiresAt ? { expiresAt } : {}),
      ...(process ? { process } : {}),
      ...(bootId ? { bootId } : {}),
    };
  }

  #toSnapshot(items: readonly V1Lease[]): Snapshot {
    const slots = new Map<number, V1Lease>();
    let queueLease: V1Lease | undefined;
    const prefix = `${this.name}-lock-`;
    for (const lease of items) {
      const name = lease.metadata?.name ?? "";
      if (name === this.queueName) queueLease = lease;
      else if (name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length))) {
        slots.set(Number(name.slice(prefix.length)), lease);
      }
    }
    const annotations = queueLease?.metadata?.annotations ?? {};
    return {
      slots,
      queueLease,
      queue: parseQueue(annotations[LEASE_QUEUE_ANNOTATION]),
      manual: parseManual(annotations[LEASE_MANUAL_ANNOTATION]),
    };
  }

  async #snapshot(signal: AbortSignal): Promise<Snapshot> {
    signal.throwIfAborted();
    const list = await this.#leases.listNamespacedLease(
      { namespace: this.namespace, labelSelector: `${LEASE_LOCK_LABEL}=${this.name}` },
      signal,
    );
    return this.#toSnapshot(list.items);
  }

  /** Writes slot `n` for the holder, conditionally on what was read; undefined when someone else won the race. */
  async #take(
    n: number,
    lease: V1Lease | undefined,
    req: { holder: string; wasUnschedulable: boolean; signal: AbortSignal; process?: string; bootId?: string },
    now: Date,
    gone: ReadonlySet<string>,
  ): Promise<LockSlot | undefined> {
    const previous = lease?.spec?.holderIdentity;
    if (previous && gone.has(previous)) {
      this.#o.log.warn({ holder: previous }, `Dropping lock holder ${previous}: its Node object no longer exists`);
    }
    const seconds = this.#o.ttlMs > 0 ? Math.max(1, Math.ceil(this.#o.ttlMs / 1000)) : undefined;
    const transitions = (lease?.spec?.leaseTransitions ?? 0) + (previous && previous !== req.holder ? 1 : 0);
    const body: V1Lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        ...lease?.metadata,
        name: this.slotName(n),
        namespace: this.namespace,
        labels: { ...lease?.metadata?.labels, [LEASE_LOCK_LABEL]: this.name, [LEASE_ROLE_LABEL]: "slot" },
        annotations: {
          ...withoutHolderAnnotations(lease?.metadata?.annotations),
          [LEASE_UNSCHEDULABLE_ANNOTATION]: String(req.wasUnschedulable),
          ...(req.process ? { [LEASE_PROCESS_ANNOTATION]: req.process } : {}),
          ...(req.bootId ? { [LEASE_BOOT_ID_ANNOTATION]: req.bootId } : {}),
        },
      },
      spec: {
        holderIdentity: req.holder,
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: transitions,
        ...(seconds ? { leaseDurationSeconds: seconds } : {}),
      },
    };
    try {
      if (lease) {
        await this.#leases.replaceNamespacedLease(
          { name: this.slotName(n), namespace: this.namespace, body },
          req.signal,
        );
      } else {
        await this.#leases.createNamespacedLease({ namespace: this.namespace, body }, req.signal);
      }
    } catch (error) {
      if (apiErrorInfo(error).code === 409) return undefined;
      throw error;
    }
    return this.#slotOf(body);
  }

  /** Read-modify-write of the queue annotation. */
  async #writeQueue(signal: AbortSignal, change: (queue: LockQueueEntry[]) => LockQueueEntry[]): Promise<void> {
    await this.#writeQueueLease(signal, (lease) => {
      const before = lease?.metadata?.annotations?.[LEASE_QUEUE_ANNOTATION];
      const after = formatQueue(change(parseQueue(before)));
      if (after === (before ?? "[]")) return undefined;
      return { [LEASE_QUEUE_ANNOTATION]: after };
    });
  }

  /** Read-modify-write of the queue Lease's annotations (`null` deletes one); undefined changes nothing. */
  async #writeQueueLease(
    signal: AbortSignal,
    change: (lease: V1Lease | undefined) => Record<string, string | null> | undefined,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      signal.throwIfAborted();
      let lease: V1Lease | undefined;
      try {
        lease = await this.#leases.readNamespacedLease({ name: this.queueName, namespace: this.namespace }, signal);
      } catch (error) {
        if (apiErrorInfo(error).code !== 404) throw error;
      }
      const patch = change(lease);
      if (!patch) return;
      const annotations: Record<string, string> = { ...lease?.metadata?.annotations };
      for (const [key, value] of Object.entries(patch)) {
        if (value === null) delete annotations[key];
        else annotations[key] = value;
      }
      const metadata = {
        ...lease?.metadata,
        name: this.queueName,
        namespace: this.namespace,
        labels: { ...lease?.metadata?.labels, [LEASE_LOCK_LABEL]: this.name, [LEASE_ROLE_LABEL]: "queue" },
        annotations,
      };
      try {
        if (lease) {
          await this.#leases.replaceNamespacedLease(
            { name: this.queueName, namespace: this.namespace, body: { ...lease, metadata } },
            signal,
          );
        } else {
          await this.#leases.createNamespacedLease(
            {
              namespace: this.namespace,
              body: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata, spec: {} },
            },
            signal,
          );
        }
        return;
      } catch (error) {
        if (apiErrorInfo(error).code !== 409) throw error;
        await this.#pause(attempt, signal);
      }
    }
  }

  #pause(attempt: number, signal: AbortSignal): Promise<void> {
    return this.#o.clock.sleep(backoffDelay(attempt, { ...CONFLICT_BACKOFF, random: this.#o.random }), signal);
  }
}

/** Creates the Lease backend (async for the callers that awaited it before). */
export async function createLeaseLockBackend(options: LeaseLockOptions): Promise<LeaseLockBackend> {
  return new LeaseLockBackend(options);
}
