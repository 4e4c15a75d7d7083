import type { Reason } from "./reason.js";

/** One held slot of the reboot lock. */
export interface LockSlot {
  /** node name of the holder (`manual` for the documented manual lock) */
  readonly holder: string;
  readonly acquiredAt: Date;
  /** absent when the slot never expires (TTL 0) */
  readonly expiresAt?: Date;
  /** whether the node was already cordoned when it took the slot (so it stays cordoned after) */
  readonly wasUnschedulable: boolean;
  /**
   * the process that holds the slot (random per process start); absent for a slot written by Go
   * kured or an older kured-ts, which is owned by the node name alone
   */
  readonly process?: string;
  /** the holder node's boot ID when the slot was taken (a changed boot ID proves the holder rebooted) */
  readonly bootId?: string;
  /** when the holding process last renewed the slot (its heartbeat); absent: when it was taken */
  readonly renewedAt?: Date;
}

/** A node waiting for a slot, in arrival order. */
export interface LockQueueEntry {
  readonly node: string;
  /** when the node first joined the queue */
  readonly since: Date;
  /** when the node last confirmed it still waits; stale entries are skipped */
  readonly refreshedAt: Date;
}

/** Everything a reader may want to know about the lock at one moment. */
export interface LockState {
  /** maximum simultaneous holders (`--concurrency`) */
  readonly capacity: number;
  /** unexpired holders */
  readonly holders: readonly LockSlot[];
  readonly queue: readonly LockQueueEntry[];
  /** present when the lock is taken by hand and stops every reboot */
  readonly manual?: { readonly reason?: string; readonly since?: Date };
}

export type AcquireResult =
  | { readonly acquired: true; readonly slot: LockSlot }
  | { readonly acquired: false; readonly holders: readonly LockSlot[]; readonly reason: Reason };

/** What `acquire` is asked: the node, its process and boot, and whether it was cordoned before. */
export interface AcquireRequest {
  readonly holder: string;
  readonly wasUnschedulable: boolean;
  readonly signal: AbortSignal;
  readonly process?: string;
  readonly bootId?: string;
}

/** What `adopt` is asked: hand `holder`'s slot from process `from` (undefined: none recorded) to `process`. */
export interface AdoptRequest {
  readonly holder: string;
  readonly process: string;
  readonly from: string | undefined;
  readonly bootId?: string;
  /**
   * the slot's last heartbeat (`renewedAt`, else `acquiredAt`) as read when it was judged
   * abandoned: a slot renewed since is not adopted (its process is alive after all)
   */
  readonly heartbeat?: Date;
  readonly signal: AbortSignal;
}

/** Whether `slot` was renewed after the heartbeat an adopter saw (so it must not be adopted). */
export function renewedSince(slot: Pick<LockSlot, "renewedAt" | "acquiredAt">, heartbeat: Date | undefined): boolean {
  return heartbeat !== undefined && (slot.renewedAt ?? slot.acquiredAt).getTime() !== heartbeat.getTime();
}

/**
 * The cluster-wide lock that keeps at most `capacity` nodes rebooting at once.
 *
 * Must promise, under any interleaving of callers and any API failure: never more unexpired
 * holders than the capacity; `acquire` by a current holder succeeds without a second slot;
 * `release` by a non-holder changes nothing; every slot is released or expires; `changes()`
 * yields the new state soon after every change (and ends when its signal aborts). Errors other
 * than "busy" are thrown, never reported as `acquired: false`.
 *
 * Process identity: a request may name the `process` on the node. Then a slot of the node held by
 * another process is not this caller's (acquire answers busy), `release` frees only the caller's
 * own slot (or one that records no process), and `renew` and `adopt` are conditional on the
 * process recorded in the slot, checked against the object's resourceVersion.
 */
export interface LockBackend {
  /** kebab-case, e.g. `daemonset` or `lease` */
  readonly id: string;
  acquire(req: AcquireRequest): Promise<AcquireResult>;
  /** the node's unexpired slot, whichever process holds it */
  holding(req: { holder: string; signal: AbortSignal }): Promise<LockSlot | undefined>;
  release(req: { holder: string; signal: AbortSignal; process?: string }): Promise<void>;
  inspect(req: { signal: AbortSignal }): Promise<LockState>;
  changes(req: { signal: AbortSignal }): AsyncIterable<LockState>;
  /** optional: a waiter that got blocked stops holding up the queue; false when it was not queued */
  leaveQueue?(req: { holder: string; signal: AbortSignal }): Promise<boolean>;
  /**
   * optional: keeps the holder's slot alive (renews a TTL) until the signal aborts; the holder
   * stops it right before the reboot, so the slot expires a TTL after the node went down
   */
  keepRenewed?(req: { holder: string; signal: AbortSignal }): Promise<unknown>;
  /**
   * optional: renews the slot that `process` holds for `holder` (its heartbeat, and its TTL) and
   * answers it; undefined when that process holds no unexpired slot any more (expired and taken,
   * released, adopted by another process, or the lock object was lost). `bootId`, the boot the
   * slot was taken or adopted under, is written back if the stored slot lost it (a Go kured that
   * rewrote the lock dropped kured-ts's extra fields), so that after the reboot the next process
   * can still prove it
   */
  renew?(req: { holder: string; process: string; bootId?: string; signal: AbortSignal }): Promise<LockSlot | undefined>;
  /**
   * optional: hands `holder`'s slot, now recorded for process `from` (undefined: no process
   * recorded), to `process`, only if it is still so; undefined when it changed meanwhile
   */
  adopt?(req: AdoptRequest): Promise<LockSlot | undefined>;
}
