/**
 * What acquire and release do to a lock annotation, as pure functions of the value read and the
 * time: the DaemonSet backend reads, asks these for the next value, and writes it conditionally on
 * the resourceVersion it read (retrying from a fresh read on 409).
 */
import { renewedSince, type LockQueueEntry, type LockSlot, type LockState } from "../contracts/lock-backend.js";
import type { Reason } from "../contracts/reason.js";
import {
  isLockHolderExpired,
  isManualHolder,
  lockHolder,
  manualSince,
  type LockAnnotation,
  type LockAnnotationInput,
  type LockHolder,
} from "./lock-annotation.js";
import { freshQueue, joinQueue, mayTakeSlot } from "./lock-queue.js";
import { goTimeFromDate, goTimeToDate } from "./go-time.js";

/** The settings every plan needs. */
export interface PlanSettings {
  /** `--concurrency` */
  readonly concurrency: number;
  /** `--lock-ttl` in nanoseconds; 0 = never expires */
  readonly ttl: bigint;
  /** queue entries not refreshed within this are skipped (two periods) */
  readonly staleMs: number;
  /** a waiting node rewrites its queue entry only when it is older than this */
  readonly refreshAfterMs: number;
}

/**
 * The lock after a change and the concurrency whose format to write it in, or `remove` for
 * deleting the annotation; undefined writes nothing.
 */
export type PlannedWrite = { readonly lock: LockAnnotationInput; readonly concurrency: number } | "remove" | undefined;

/** The outcome of an acquire plan. */
export type AcquirePlan =
  | { readonly acquired: true; readonly slot: LockSlot; readonly write: PlannedWrite }
  | {
      readonly acquired: false;
      readonly holders: readonly LockSlot[];
      readonly reason: Reason;
      readonly write: PlannedWrite;
    };

/** A holder entry as the contract's slot. */
export function toSlot(h: LockHolder): LockSlot {
  return {
    holder: h.node,
    acquiredAt: h.createdAt,
    wasUnschedulable: h.unschedulable,
    ...(h.expiresAt ? { expiresAt: h.expiresAt } : {}),
    ...(h.process ? { process: h.process } : {}),
    ...(h.bootId ? { bootId: h.bootId } : {}),
    renewedAt: goTimeToDate(h.renewed ?? h.created),
  };
}

/**
 * True when `entry` is `process`'s: the same process, or an entry that records none (written by Go
 * kured or an older kured-ts, owned by the node name alone), or a caller that names none.
 */
export function ownedBy(entry: { readonly process?: string | undefined }, process: string | undefined): boolean {
  return process === undefined || entry.process === undefined || entry.process === process;
}

/** Entries that hold a slot now: a node name and not expired. */
export function liveHolders(lock: LockAnnotation | undefined, now: Date): LockHolder[] {
  return (lock?.holders ?? []).filter((h) => h.node !== "" && !isLockHolderExpired(h, now));
}

/** The contract's view of the lock at `now`. */
export function lockState(lock: LockAnnotation | undefined, settings: PlanSettings, now: Date): LockState {
  const live = liveHolders(lock, now);
  const manual = live.find(isManualHolder);
  const since = manual && manualSince(manual);
  return {
    capacity: settings.concurrency,
    holders: live.map(toSlot),
    queue: freshQueue(lock?.queue ?? [], now, settings.staleMs, new Set(live.map((h) => h.node))),
    ...(manual ? { manual: { ...(lock?.reason ? { reason: lock.reason } : {}), ...(since ? { since } : {}) } } : {}),
  };
}

/** An entry that holds nothing but keeps Go kured (concurrency 1) off a slot promised to the queue's head. */
function reservation(now: Date, settings: PlanSettings): LockHolder {
  return lockHolder({ node: "", created: now, ttl: BigInt(Math.ceil(settings.staleMs)) * 1_000_000n });
}

/**
 * The value to write for these holders and queue, fitted to the format: at concurrency 1 a queue
 * without a holder rides on a reservation, and more holders than the single format can hold (a
 * multi-lock left behind) stay in the multi format when a release must be written, and are not
 * rewritten otherwise. The manual lock keeps its reason.
 */
function fit(
  holders: readonly LockHolder[],
  queue: readonly LockQueueEntry[],
  previous: LockAnnotation | undefined,
  settings: PlanSettings,
  now: Date,
  mustWrite: boolean,
): PlannedWrite {
  const reason = previous?.reason !== undefined && holders.some(isManualHolder) ? { reason: previous.reason } : {};
  if (settings.concurrency > 1) return { lock: { holders, queue, ...reason }, concurrency: settings.concurrency };
  if (holders.length > 1) {
    if (!mustWrite) return undefined;
    const concurrency = Math.max(2, previous?.maxOwners ?? 2, holders.length);
    return { lock: { holders, queue, ...reason }, concurrency };
  }
  if (holders.length === 1) return { lock: { holders, queue, ...reason }, concurrency: 1 };
  if (queue.length === 0) return "remove";
  const kept = previous?.holders.find((h) => h.node === "" && !isLockHolderExpired(h, now));
  return { lock: { holders: [kept ?? reservation(now, settings)], queue }, concurrency: 1 };
}

function busyReason(live: readonly LockHolder[], settings: PlanSettings, queued: number): Reason {
  const names = live.map((h) => h.node).join(", ");
  const message =
    live.length >= settings.concurrency
      ? `all ${settings.concurrency} lock slot(s) are held (${names})`
      : `a freed lock slot is promised to the ${queued} node(s) ahead in the queue`;
  return { code: "lock-busy", message };
}

/**
 * Acquire: a current holder gets its slot back without a write; the manual lock refuses everyone;
 * a free slot goes to the head of the fresh queue (expired, gone and reservation entries are
 * dropped on the way); a refused node joins or refreshes its queue entry.
 */
export function planAcquire(
  lock: LockAnnotation | undefined,
  req: { holder: string; wasUnschedulable: boolean; gone?: ReadonlySet<string>; process?: string; bootId?: string },
  settings: PlanSettings,
  now: Date,
): AcquirePlan {
  const all = liveHolders(lock, now);
  const mine = all.find((h) => h.node === req.holder);
  if (mine && ownedBy(mine, req.process)) return { acquired: true, slot: toSlot(mine), write: undefined };
  if (mine) {
    return {
      acquired: false,
      holders: all.map(toSlot),
      reason: {
        code: "lock-held-by-other-process",
        message:
          `the lock slot of node ${req.holder} is held by another kured process (${mine.process}); ` +
          "are two kured processes running with the same --node-id?",
      },
      write: undefined,
    };
  }
  const manual = all.find(isManualHolder);
  if (manual) {
    const why = lock?.reason ? `: ${lock.reason}` : "";
    return {
      acquired: false,
      holders: all.map(toSlot),
      reason: { code: "lock-held-manually", message: `the lock is held manually${why}` },
      write: undefined,
    };
  }
  const gone = req.gone ?? new Set<string>();
  const live = all.filter((h) => !gone.has(h.node));
  const fresh = freshQueue(lock?.queue ?? [], now, settings.staleMs, new Set(live.map((h) => h.node)));
  const free = settings.concurrency - live.length;
  if (mayTakeSlot(req.holder, free, fresh)) {
    const entry = lockHolder({
      node: req.holder,
      unschedulable: req.wasUnschedulable,
      created: now,
      ttl: settings.ttl,
      process: req.process,
      bootId: req.bootId,
    });
    const queue = fresh.filter((q) => q.node !== req.holder);
    return { acquired: true, slot: toSlot(entry), write: fit([...live, entry], queue, lock, settings, now, true) };
  }
  const joined = joinQueue(fresh, req.holder, now, settings.refreshAfterMs);
  const dropped = live.length !== all.length;
  const write = joined.changed || dropped ? fit(live, joined.queue, lock, settings, now, dropped) : undefined;
  const ahead = joined.queue.findIndex((q) => q.node === req.holder);
  return { acquired: false, holders: live.map(toSlot), reason: busyReason(live, settings, ahead), write };
}

/**
 * Release: every entry of the holder goes (Go removes the first; there is never more than one of
 * ours); other holders and the fresh queue stay. A non-holder writes nothing.
 */
export function planRelease(
  lock: LockAnnotation | undefined,
  holder: string,
  settings: PlanSettings,
  now: Date,
  process?: string,
): { released: boolean; write: PlannedWrite } {
  const released = (h: LockHolder): boolean => h.node === holder && ownedBy(h, process);
  if (!lock || !lock.holders.some(released)) return { released: false, write: undefined };
  const rest = liveHolders(lock, now).filter((h) => !released(h));
  const queue = freshQueue(lock.queue, now, settings.staleMs, new Set(rest.map((h) => h.node)));
  return { released: true, write: fit(rest, queue, lock, settings, now, true) };
}

/**
 * Leaving the queue (the node no longer waits: blocked, outside its window, no reboot needed):
 * its entry goes, so it does not hold up the nodes behind it for two periods. Nothing to write
 * when it is not queued.
 */
export function planLeaveQueue(
  lock: LockAnnotation | undefined,
  node: string,
  settings: PlanSettings,
  now: Date,
): PlannedWrite {
  if (!lock || !lock.queue.some((q) => q.node === node)) return undefined;
  const live = liveHolders(lock, now);
  const queue = freshQueue(lock.queue, now, settings.staleMs, new Set(live.map((h) => h.node))).filter(
    (q) => q.node !== node,
  );
  return fit(live, queue, lock, settings, now, false);
}

/**
 * Renew: `process`'s unexpired entry for `holder` gets a fresh heartbeat and, with a TTL, a fresh
 * `created` (what Go kured's expiry reads), keeping when it was first taken. Undefined (nothing
 * written) when that process holds no unexpired entry.
 */
export function planRenew(
  lock: LockAnnotation | undefined,
  holder: string,
  process: string,
  settings: PlanSettings,
  now: Date,
  bootId?: string,
): { slot: LockSlot; write: PlannedWrite } | undefined {
  // what a Go kured's rewrite dropped (the process, the boot) is written back
  return replaceEntry(lock, holder, settings, now, (h) =>
    ownedBy(h, process) ? { process: h.process ?? process, bootId: h.bootId ?? bootId } : undefined,
  );
}

/**
 * Adopt: `holder`'s unexpired entry, recorded for process `from` (undefined: none recorded), is
 * handed to `process` (with the node's boot now) and renewed; undefined when the entry changed.
 */
export function planAdopt(
  lock: LockAnnotation | undefined,
  req: { holder: string; process: string; from: string | undefined; bootId?: string; heartbeat?: Date },
  settings: PlanSettings,
  now: Date,
): { slot: LockSlot; write: PlannedWrite } | undefined {
  return replaceEntry(lock, req.holder, settings, now, (h) =>
    h.process === req.from && !renewedSince(toSlot(h), req.heartbeat)
      ? { process: req.process, bootId: req.bootId ?? h.bootId }
      : undefined,
  );
}

function replaceEntry(
  lock: LockAnnotation | undefined,
  holder: string,
  settings: PlanSettings,
  now: Date,
  change: (h: LockHolder) => { process: string | undefined; bootId: string | undefined } | undefined,
): { slot: LockSlot; write: PlannedWrite } | undefined {
  const live = liveHolders(lock, now);
  const index = live.findIndex((h) => h.node === holder);
  const entry = live[index];
  const next = entry && change(entry);
  if (!lock || !entry || !next) return undefined;
  const renewed = lockHolder({
    node: entry.node,
    unschedulable: entry.unschedulable,
    // with a TTL, `created` is what expires: move it; without one, keep Go's value as it was
    created: entry.ttl > 0n ? now : entry.created,
    ttl: entry.ttl,
    process: next.process,
    bootId: next.bootId,
    acquired: entry.ttl > 0n ? (entry.acquired ?? entry.created) : entry.acquired,
    renewed: goTimeFromDate(now),
  });
  const holders = live.map((h, i) => (i === index ? renewed : h));
  const queue = freshQueue(lock.queue, now, settings.staleMs, new Set(holders.map((h) => h.node)));
  return { slot: toSlot(renewed), write: fit(holders, queue, lock, settings, now, true) };
}
