import type { AcquireResult, LockBackend, LockSlot, LockState } from "../contracts/lock-backend.js";

/**
 * A lock backend made on first use: component factories are synchronous, while making an
 * API-backed backend loads the client library (asynchronously, and only when the daemon runs).
 */
export function lazyLockBackend(id: string, make: () => Promise<LockBackend>): LockBackend {
  let made: Promise<LockBackend> | undefined;
  const backend = (): Promise<LockBackend> => (made ??= make());
  return {
    id,
    acquire: async (req): Promise<AcquireResult> => (await backend()).acquire(req),
    holding: async (req): Promise<LockSlot | undefined> => (await backend()).holding(req),
    release: async (req): Promise<void> => (await backend()).release(req),
    inspect: async (req): Promise<LockState> => (await backend()).inspect(req),
    async *changes(req): AsyncIterable<LockState> {
      yield* (await backend()).changes(req);
    },
  };
}
