/**
 * The lock as the API server stores it, read synchronously from the store (never through a
 * daemon's eyes): which node holds an unexpired slot, for which process, since when.
 */
import {
  LEASE_LOCK_LABEL,
  LEASE_MANUAL_ANNOTATION,
  LEASE_ROLE_LABEL,
  LEASE_UNSCHEDULABLE_ANNOTATION,
  MANUAL_HOLDER,
  goTimeToDate,
  isLockHolderExpired,
  parseLockAnnotation,
} from "@kured/core";
import type { ApiServer, StoredObject } from "@kured/testkit";

export const NAMESPACE = "kube-system";
export const ANNOTATION = "weave.works/kured-node-lock";
/** The process annotation on a slot Lease (core's LEASE_PROCESS_ANNOTATION, not exported from its index). */
export const LEASE_PROCESS = "kured.dev/process";

/** One unexpired slot as stored. */
export interface StoredSlot {
  readonly node: string;
  /** the holding process, when the entry records one (Go kured's entries do not) */
  readonly process?: string;
  /** when it was first taken (ms), as the entry says */
  readonly since: number;
  /** the holder's last renewal (ms): the slot's heartbeat, `since` when never renewed */
  readonly renewed: number;
  readonly unschedulable: boolean;
}

/** Where a run's lock lives. */
export interface LockPlace {
  readonly backend: "daemonset" | "lease";
  /** the DaemonSet's name, and the Leases' prefix */
  readonly name: string;
  readonly concurrency: number;
}

export const DAEMONSETS = "apps/daemonsets";
export const LEASES = "coordination.k8s.io/leases";

function annotationsOf(o: StoredObject | undefined): Record<string, string> {
  return (o?.metadata.annotations ?? {}) as Record<string, string>;
}

/** The raw lock annotation value, if any (DaemonSet backend). */
export function rawLock(server: ApiServer, place: LockPlace): string | undefined {
  return annotationsOf(server.store.get(DAEMONSETS, NAMESPACE, place.name))[ANNOTATION];
}

/**
 * The unexpired slots now, the manual lock included as node `manual`. A value that is not a lock
 * counts as one slot of node `?corrupt` (it stops every reboot, as it does for kured).
 */
export function storedSlots(server: ApiServer, place: LockPlace, now: Date): StoredSlot[] {
  if (place.backend === "daemonset") {
    const raw = rawLock(server, place);
    if (raw === undefined) return [];
    let holders;
    try {
      holders = parseLockAnnotation(raw, { concurrency: place.concurrency }).holders;
    } catch {
      return [{ node: "?corrupt", since: 0, renewed: 0, unschedulable: false }];
    }
    return holders
      .filter((h) => h.node !== "" && !isLockHolderExpired(h, now))
      .map((h) => ({
        node: h.node,
        since: h.createdAt.getTime(),
        renewed: h.renewed ? goTimeToDate(h.renewed).getTime() : h.createdAt.getTime(),
        unschedulable: h.unschedulable,
        ...(h.process ? { process: h.process } : {}),
      }));
  }
  const out: StoredSlot[] = [];
  for (const lease of server.store.list(LEASES, NAMESPACE)) {
    const labels = (lease.metadata.labels ?? {}) as Record<string, string>;
    if (labels[LEASE_LOCK_LABEL] !== place.name) continue;
    const annotations = annotationsOf(lease);
    if (labels[LEASE_ROLE_LABEL] !== "slot") {
      if (annotations[LEASE_MANUAL_ANNOTATION] !== undefined)
        out.push({ node: MANUAL_HOLDER, since: 0, renewed: 0, unschedulable: false });
      continue;
    }
    const spec = ((lease as { spec?: Record<string, unknown> }).spec ?? {}) as Record<string, unknown>;
    const holder = spec.holderIdentity;
    if (typeof holder !== "string" || holder === "") continue;
    const renewed = Date.parse(String(spec.renewTime ?? spec.acquireTime));
    const seconds = Number(spec.leaseDurationSeconds ?? 0);
    if (seconds > 0 && renewed + seconds * 1000 <= now.getTime()) continue;
    const process = annotations[LEASE_PROCESS];
    out.push({
      node: holder,
      since: Date.parse(String(spec.acquireTime ?? spec.renewTime)),
      renewed,
      unschedulable: annotations[LEASE_UNSCHEDULABLE_ANNOTATION] === "true",
      ...(process ? { process } : {}),
    });
  }
  return out;
}

/** True when a store change concerns the run's lock objects. */
export function isLockChange(place: LockPlace, storage: string, object: StoredObject): boolean {
  if (object.metadata.namespace !== NAMESPACE) return false;
  if (place.backend === "daemonset") return storage === DAEMONSETS && object.metadata.name === place.name;
  if (storage !== LEASES) return false;
  return ((object.metadata.labels ?? {}) as Record<string, string>)[LEASE_LOCK_LABEL] === place.name;
}
