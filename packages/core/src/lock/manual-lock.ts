/**
 * Manual control of the lock, for `kured lock acquire|release|status`: take the lock by hand
 * (every reboot stops, at any concurrency, until it is released; it never expires), release any
 * holder, show the state.
 */
import type { LockBackend, LockState } from "../contracts/lock-backend.js";

/** What a backend offers beyond the LockBackend contract for manual control. */
export interface ManualLockControl extends Pick<LockBackend, "inspect"> {
  /** takes the manual lock (holder `manual`); current holders keep their slots; returns the new state */
  takeManually(req: { reason?: string; signal: AbortSignal }): Promise<LockState>;
  /** frees `holder`'s slot at once (no release delay), `manual` included; false when it held none */
  releaseHolder(req: { holder: string; signal: AbortSignal }): Promise<boolean>;
}

/** Takes the lock by hand with an optional reason: no node starts a reboot until it is released. */
export function takeLockManually(
  lock: ManualLockControl,
  req: { reason?: string; signal: AbortSignal },
): Promise<LockState> {
  return lock.takeManually(req);
}

/** Releases the slot of any holder (a node, or `manual` to lift the manual lock); false when it held none. */
export function releaseLockHolder(
  lock: ManualLockControl,
  req: { holder: string; signal: AbortSignal },
): Promise<boolean> {
  return lock.releaseHolder(req);
}

/** The lock's state: holders with expiry, the queue, the manual lock. */
export function lockStatus(lock: ManualLockControl, req: { signal: AbortSignal }): Promise<LockState> {
  return lock.inspect(req);
}

/** The state as lines for people (`kured lock status`). */
export function formatLockStatus(state: LockState, now: Date): string {
  const lines: string[] = [];
  if (state.manual) {
    const since = state.manual.since ? ` since ${state.manual.since.toISOString()}` : "";
    lines.push(`locked manually${since}${state.manual.reason ? `: ${state.manual.reason}` : ""}`);
  }
  const nodes = state.holders.filter((h) => h.holder !== "manual");
  lines.push(`holders: ${nodes.length}/${state.capacity}`);
  for (const h of nodes) {
    const expiry = h.expiresAt
      ? `expires in ${Math.max(0, Math.round((h.expiresAt.getTime() - now.getTime()) / 1000))}s`
      : "never expires";
    const cordoned = h.wasUnschedulable ? ", was cordoned before" : "";
    lines.push(`  ${h.holder} since ${h.acquiredAt.toISOString()}, ${expiry}${cordoned}`);
  }
  lines.push(`queue: ${state.queue.length}`);
  state.queue.forEach((q, i) => lines.push(`  ${i + 1}. ${q.node} waiting since ${q.since.toISOString()}`));
  return lines.join("\n");
}
