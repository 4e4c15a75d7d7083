import { formatLockStatus, KuredError, type LoadedConfig, type LockState } from "@kured/core";
import type { CliIo } from "../cli/io.js";
import { clusterAccess } from "./cluster-access.js";

/** The lock state as plain JSON (dates as RFC 3339). */
export function lockStateJson(state: LockState): unknown {
  return {
    capacity: state.capacity,
    manual: state.manual
      ? { reason: state.manual.reason ?? null, since: state.manual.since?.toISOString() ?? null }
      : null,
    holders: state.holders
      .filter((h) => h.holder !== "manual")
      .map((h) => ({
        node: h.holder,
        acquiredAt: h.acquiredAt.toISOString(),
        expiresAt: h.expiresAt?.toISOString() ?? null,
        wasUnschedulable: h.wasUnschedulable,
      })),
    queue: state.queue.map((q) => ({
      node: q.node,
      since: q.since.toISOString(),
      refreshedAt: q.refreshedAt.toISOString(),
    })),
  };
}

/**
 * `kured lock acquire --reason …` takes the lock by hand (no node starts a reboot; the same as
 * kured's documented `kubectl annotate … weave.works/kured-node-lock='{"nodeID":"manual"}'`),
 * `kured lock release [--node X]` lifts it (or frees a node's slot), `kured lock status` shows it.
 */
export async function runLockCommand(action: string, loaded: LoadedConfig, io: CliIo): Promise<number> {
  const flags = loaded.config?.values.get("lock") as { reason: string; node: string; json: boolean };
  const { lock } = await clusterAccess(loaded, io);
  const signal = AbortSignal.timeout(60_000);
  switch (action) {
    case "acquire": {
      const state = await lock.takeManually({ signal, ...(flags.reason ? { reason: flags.reason } : {}) });
      io.stdout.write(`reboots stopped: the lock is held manually${flags.reason ? ` (${flags.reason})` : ""}\n`);
      io.stdout.write(`${formatLockStatus(state, new Date())}\n`);
      return 0;
    }
    case "release": {
      const holder = flags.node || "manual";
      const released = await lock.releaseHolder({ holder, signal });
      if (!released) {
        io.stderr.write(
          holder === "manual" ? "the lock was not held manually\n" : `node ${holder} does not hold the lock\n`,
        );
        return 1;
      }
      io.stdout.write(holder === "manual" ? "manual lock released: reboots resume\n" : `released ${holder}'s slot\n`);
      return 0;
    }
    case "status": {
      const state = await lock.inspect({ signal });
      io.stdout.write(
        flags.json ? `${JSON.stringify(lockStateJson(state))}\n` : `${formatLockStatus(state, new Date())}\n`,
      );
      return 0;
    }
    default:
      throw KuredError.fromProblems("KURED_ERR_CONFIG_INVALID", [
        { subject: action, message: "unknown lock action", fix: "use kured lock acquire, release or status" },
      ]);
  }
}
