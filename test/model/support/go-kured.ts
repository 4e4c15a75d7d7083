/**
 * A Go kured 1.23 on another node, as far as the lock goes (KURED-BEHAVIOUR.md §d): it reads the
 * DaemonSet, decides by Go's rules, and writes the whole object back (a PUT with the
 * resourceVersion it read, so a write in between makes it retry after 1 s). It re-serialises the
 * value in Go's own JSON, which drops every field Go does not know (our queue, and each entry's
 * process, boot and renewal fields).
 */
import {
  formatLockAnnotation,
  isLockHolderExpired,
  lockHolder,
  millisToNanos,
  parseLockAnnotation,
  type LockHolder,
} from "@kured/core";
import { findResource, type ApiServer, type ResourceType, type VirtualClock } from "@kured/testkit";
import { ANNOTATION, NAMESPACE } from "./lock-view.js";

const DAEMONSETS = findResource("apps", "v1", "daemonsets") as ResourceType;

/** Go's view of an entry: what it keeps when it rewrites the value. */
function goEntry(h: LockHolder): Pick<LockHolder, "node" | "unschedulable" | "created" | "ttl"> {
  return { node: h.node, unschedulable: h.unschedulable, created: h.created, ttl: h.ttl };
}

export interface GoKuredOptions {
  readonly server: ApiServer;
  readonly clock: VirtualClock;
  /** the DaemonSet */
  readonly name: string;
  /** the Go kured's node name */
  readonly node: string;
  readonly concurrency: number;
  readonly ttlMs: number;
  /** virtual time between its read and its write */
  readonly writeDelayMs: number;
  readonly signal: AbortSignal;
}

/** One read-modify-write by Go's rules; `plan` answers the new value (undefined: remove it), or `skip`. */
async function readModifyWrite(
  o: GoKuredOptions,
  plan: (value: string | undefined) => { value: string | undefined } | "skip",
): Promise<boolean> {
  for (;;) {
    const ds = o.server.registry.get(DAEMONSETS, NAMESPACE, o.name);
    const annotations = { ...(ds.metadata?.annotations ?? {}) };
    const decided = plan(annotations[ANNOTATION]);
    if (decided === "skip") return false;
    await o.clock.sleep(o.writeDelayMs, o.signal);
    if (decided.value === undefined) delete annotations[ANNOTATION];
    else annotations[ANNOTATION] = decided.value;
    try {
      o.server.registry.update(DAEMONSETS, NAMESPACE, o.name, { ...ds, metadata: { ...ds.metadata, annotations } });
      return true;
    } catch (e) {
      if ((e as { code?: number }).code !== 409) throw e;
      await o.clock.sleep(1_000, o.signal); // Go kured: 1 s, then read-modify-write again
    }
  }
}

/** Go's Acquire; false when the lock is full (Go would try again next period). */
export function goAcquire(o: GoKuredOptions): Promise<boolean> {
  return readModifyWrite(o, (raw) => {
    const now = o.clock.now();
    const mine = lockHolder({ node: o.node, created: now, ttl: millisToNanos(o.ttlMs) });
    const lock = raw === undefined ? undefined : parseLockAnnotation(raw, { concurrency: o.concurrency });
    if (o.concurrency === 1) {
      const h = lock?.holders[0];
      if (h && !isLockHolderExpired(h, now)) return "skip"; // held (by us: nothing to write either)
      return { value: formatLockAnnotation({ holders: [mine] }, { concurrency: 1 }) };
    }
    let holders = (lock?.holders ?? []).map(goEntry);
    if (holders.length >= o.concurrency) {
      const live = holders.filter((h) => !isLockHolderExpired(h, now));
      if (live.length === holders.length) return "skip";
      holders = live;
    }
    return { value: formatLockAnnotation({ holders: [...holders, mine] }, { concurrency: o.concurrency }) };
  });
}

/** Go's Release: removes its (first) entry; single format: the whole annotation. */
export function goRelease(o: GoKuredOptions): Promise<boolean> {
  return readModifyWrite(o, (raw) => {
    if (raw === undefined) return "skip"; // "lock not held"
    const lock = parseLockAnnotation(raw, { concurrency: o.concurrency });
    if (o.concurrency === 1) {
      if (lock.holders[0]?.node !== o.node) return "skip"; // "not lock holder"
      return { value: undefined };
    }
    const i = lock.holders.findIndex((h) => h.node === o.node);
    if (i < 0) return "skip";
    const holders = lock.holders.filter((_, j) => j !== i).map(goEntry);
    return { value: formatLockAnnotation({ holders }, { concurrency: o.concurrency }) };
  });
}
