import type { LockBackend } from "../contracts/lock-backend.js";
import type { ManualLockControl } from "./manual-lock.js";

/** What both API-backed backends offer beyond the LockBackend contract: manual control and leaving the queue. */
export interface QueueingLockBackend extends LockBackend, ManualLockControl {
  /** leaves the waiting queue (blocked, outside the window, no reboot needed); false when not queued */
  leaveQueue(req: { holder: string; signal: AbortSignal }): Promise<boolean>;
}
