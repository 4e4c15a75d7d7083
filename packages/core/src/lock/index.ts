/** The reboot lock: the Go-kured-compatible codec, the DaemonSet and Lease backends, manual control. */
export {
  parseLockAnnotation,
  formatLockAnnotation,
  lockHolder,
  isLockHolderExpired,
  MANUAL_HOLDER,
  type LockAnnotation,
  type LockAnnotationInput,
  type LockCodecOptions,
  type LockHolder,
} from "./lock-annotation.js";
export { formatGoTime, parseGoTime, goTimeFromDate, goTimeToDate, GO_ZERO_TIME, type GoTime } from "./go-time.js";
export { freshQueue, mayTakeSlot, mayAcquireNow } from "./lock-queue.js";
export type { LockBackendOptions, CorruptLockEvent } from "./lock-options.js";
export type { NodeGoneCheck } from "./gone-holders.js";
export {
  createDaemonSetLockBackend,
  DaemonSetLockBackend,
  type DaemonSetLockOptions,
} from "./daemonset-lock-backend.js";
export {
  takeLockManually,
  releaseLockHolder,
  lockStatus,
  formatLockStatus,
  type ManualLockControl,
} from "./manual-lock.js";
export {
  createLeaseLockBackend,
  LeaseLockBackend,
  LEASE_LOCK_LABEL,
  LEASE_ROLE_LABEL,
  LEASE_QUEUE_ANNOTATION,
  LEASE_MANUAL_ANNOTATION,
  LEASE_UNSCHEDULABLE_ANNOTATION,
  type LeaseLockOptions,
} from "./lease-lock-backend.js";
export type { QueueingLockBackend } from "./queueing-lock-backend.js";
export {
  createLockBackend,
  LOCK_BACKENDS,
  type LockBackendKind,
  type CreateLockBackendOptions,
} from "./create-lock-backend.js";
