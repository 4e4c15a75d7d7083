/** One entry point for `--lock-backend`: builds the DaemonSet or the Lease backend. */
import { createDaemonSetLockBackend, type DaemonSetLockOptions } from "./daemonset-lock-backend.js";
import { createLeaseLockBackend, type LeaseLockOptions } from "./lease-lock-backend.js";
import type { QueueingLockBackend } from "./queueing-lock-backend.js";

/** `--lock-backend` values. */
export const LOCK_BACKENDS = ["daemonset", "lease"] as const;
/** One `--lock-backend` value. */
export type LockBackendKind = (typeof LOCK_BACKENDS)[number];

/** Options of {@link createLockBackend}: the backend's kind and its options (Lease ignores `annotation`). */
export type CreateLockBackendOptions = DaemonSetLockOptions & LeaseLockOptions & { readonly backend: LockBackendKind };

/** Builds the lock backend `--lock-backend` names; @kubernetes/client-node is loaded on this first call. */
export async function createLockBackend(options: CreateLockBackendOptions): Promise<QueueingLockBackend> {
  const { backend, ...rest } = options;
  return backend === "lease" ? createLeaseLockBackend(rest) : createDaemonSetLockBackend(rest);
}
