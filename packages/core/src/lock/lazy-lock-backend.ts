import type { AcquireResult, LockBackend, LockSlot, LockState } from "../contracts/lock-backend.js";
import type { ManualLockControl } from "./manual-lock.js";
import { ownedBy } from "./annotation-lock-plan.js";

/** A lock backend that may also be taken and released by hand (`kured lock`). */
export type ControllableLockBackend = LockBackend & Partial<Pick<ManualLockControl, "takeManually" | "releaseHolder">>;

/** True when the backend supports `kured lock acquire|release`. */
export function hasManualControl(lock: LockBackend): lock is LockBackend & ManualLockControl {
  const l = lock as ControllableLockBackend;
  return typeof l.takeManually === "function" && typeof l.releaseHolder === "function";
}

/**
 * A lock backend made on first use: component factories are synchronous, while making an
 * API-backed backend loads the client library (asynchronously, and only when the daemon runs).
 * Manual control is passed through when the real backend has it.
 */
export function lazyLockBackend(
  id: string,
  make: () => Promise<LockBackend>,
): LockBackend & ManualLockControl & Required<Pick<LockBackend, "leaveQueue" | "keepRenewed" | "renew" | "adopt">> {
  let made: Promise<LockBackend> | undefined;
  const backend = (): Promise<LockBackend> => (made ??= make());
  const manual = async (): Promise<LockBackend & ManualLockControl> => {
    const real = await backend();
    if (!hasManualControl(real)) throw new Error(`the ${id} lock backend cannot be taken or released by hand`);
    return real;
  };
  return {
    id,
    acquire: async (req): Promise<AcquireResult> => (await backend()).acquire(req),
    holding: async (req): Promise<LockSlot | undefined> => (await backend()).holding(req),
    release: async (req): Promise<void> => (await backend()).release(req),
    inspect: async (req): Promise<LockState> => (await backend()).inspect(req),
    async *changes(req): AsyncIterable<LockState> {
      yield* (await backend()).changes(req);
    },
    leaveQueue: async (req): Promise<boolean> => (await backend()).leaveQueue?.(req) ?? false,
    keepRenewed: async (req): Promise<unknown> => (await backend()).keepRenewed?.(req),
    // a backend without process identity: the node's slot is the process's, as in Go kured
    renew: async (req): Promise<LockSlot | undefined> => {
      const real = await backend();
      if (real.renew) return real.renew(req);
      const slot = await real.holding(req);
      return slot && ownedBy(slot, req.process) ? slot : undefined;
    },
    adopt: async (req): Promise<LockSlot | undefined> => {
      const real = await backend();
      if (real.adopt) return real.adopt(req);
      const slot = await real.holding(req);
      return slot && slot.process === req.from ? slot : undefined;
    },
    takeManually: async (req): Promise<LockState> => (await manual()).takeManually(req),
    releaseHolder: async (req): Promise<boolean> => (await manual()).releaseHolder(req),
  };
}
