/**
 * The lock as the API server stored it, version by version: every write to the lock's objects is
 * seen synchronously (ObjectStore.subscribe), at the virtual instant it happened, so "never more
 * than c holders" is checked at every instant the holder set could grow.
 */
import { isLockHolderExpired, LEASE_LOCK_LABEL, LEASE_ROLE_LABEL, parseLockAnnotation, type Clock } from "@kured/core";
import type { ApiServer, StoreEvent } from "@kured/testkit";

/** One stored version of the lock: who held a slot then. */
export interface LockVersion {
  readonly at: Date;
  readonly holders: readonly string[];
}

/** Which lock to follow. */
export type WatchedLock =
  | { readonly kind: "daemonset"; readonly namespace: string; readonly name: string; readonly annotation: string }
  | { readonly kind: "lease"; readonly namespace: string; readonly name: string };

/** Records the holders of one lock after every write; `stop()` unsubscribes. */
export function recordLockHistory(server: ApiServer, lock: WatchedLock, concurrency: number, clock: Clock) {
  const versions: LockVersion[] = [];
  const leases = new Map<string, StoreEvent["object"]>();

  const daemonSetHolders = (event: StoreEvent): string[] => {
    const value = (event.object.metadata.annotations as Record<string, string> | undefined)?.[
      (lock as { annotation: string }).annotation
    ];
    if (value === undefined || event.type === "DELETED") return [];
    const now = clock.now();
    return parseLockAnnotation(value, { concurrency })
      .holders.filter((h) => h.node !== "" && !isLockHolderExpired(h, now))
      .map((h) => h.node);
  };

  const leaseHolders = (): string[] => {
    const now = clock.now().getTime();
    const out: string[] = [];
    for (const lease of leases.values()) {
      const spec = (lease as { spec?: Record<string, unknown> }).spec ?? {};
      const holder = spec.holderIdentity;
      if (typeof holder !== "string" || holder === "") continue;
      const renewed = Date.parse(String(spec.renewTime ?? spec.acquireTime));
      const seconds = Number(spec.leaseDurationSeconds ?? 0);
      if (seconds > 0 && renewed + seconds * 1000 <= now) continue;
      out.push(holder);
    }
    return out;
  };

  const stop = server.store.subscribe((event) => {
    const meta = event.object.metadata;
    if (meta.namespace !== lock.namespace) return;
    if (lock.kind === "daemonset") {
      if (event.storage !== "apps/daemonsets" || meta.name !== lock.name) return;
      versions.push({ at: clock.now(), holders: daemonSetHolders(event) });
      return;
    }
    const labels = (meta.labels ?? {}) as Record<string, string>;
    if (event.storage !== "coordination.k8s.io/leases" || labels[LEASE_LOCK_LABEL] !== lock.name) return;
    if (labels[LEASE_ROLE_LABEL] !== "slot") return;
    if (event.type === "DELETED") leases.delete(meta.name);
    else leases.set(meta.name, event.object);
    versions.push({ at: clock.now(), holders: leaseHolders() });
  });

  return {
    versions,
    stop,
    /** the holders now, by the same rule (a lock that only expired wrote nothing) */
    holdersNow(current: StoreEvent["object"] | undefined): string[] {
      if (lock.kind === "lease") return leaseHolders();
      if (!current) return [];
      return daemonSetHolders({ type: "MODIFIED", storage: "apps/daemonsets", rv: 0, object: current });
    },
  };
}
