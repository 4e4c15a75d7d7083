/** Options shared by the API-backed lock backends, and their defaults. */
import type { KubeConfig } from "@kubernetes/client-node";
import { pino } from "pino";
import type { KubeApi } from "../kube/kube-api.js";
import { kubeApiOf } from "../kube/kube-source.js";
import { systemClock } from "../clock/system-clock.js";
import type { Clock } from "../contracts/clock.js";
import type { Logger } from "../contracts/logger.js";
import type { KuredError } from "../errors/kured-error.js";
import { millisToNanos } from "../go/go-duration.js";
import type { PlanSettings } from "./annotation-lock-plan.js";
import type { NodeGoneCheck } from "./gone-holders.js";

/** A lock value that is not a lock was met (for the metrics plugin to count). */
export interface CorruptLockEvent {
  /** the annotation's value as found */
  readonly value: string;
  readonly error: KuredError;
}

/** Options of every API-backed lock backend. */
export interface LockBackendOptions {
  /** the cluster: the REST client (the daemon's), or a client-node KubeConfig to make one from */
  readonly kube?: KubeApi;
  readonly kubeConfig?: KubeConfig;
  /** `--concurrency`: most holders at once; default 1 */
  readonly concurrency?: number;
  /** `--lock-ttl` in ms: a slot expires this long after it was taken (Lease: renewed); 0 (default) = never */
  readonly ttlMs?: number;
  /** `--lock-release-delay` in ms: release() waits this long first; default 0 */
  readonly releaseDelayMs?: number;
  /** `--period` in ms: queue entries not refreshed within two periods are skipped; default 1 h */
  readonly periodMs?: number;
  /** every wait and every timestamp; default the system clock */
  readonly clock?: Clock;
  /** default: silent */
  readonly log?: Logger;
  /** drop holders whose Node object is gone, when the lock is full; default true (needs `get nodes`) */
  readonly detectGoneHolders?: boolean | NodeGoneCheck;
  /** called whenever the lock value is found corrupt (not a lock): it then counts as held */
  readonly onCorrupt?: (event: CorruptLockEvent) => void;
  /** jitter source in [0, 1); default Math.random */
  readonly random?: () => number;
}

/** The options with defaults applied. */
export interface ResolvedLockOptions {
  readonly kube: KubeApi;
  readonly settings: PlanSettings;
  readonly ttlMs: number;
  readonly releaseDelayMs: number;
  readonly periodMs: number;
  readonly clock: Clock;
  readonly log: Logger;
  readonly random: () => number;
  readonly detectGoneHolders: boolean | NodeGoneCheck;
  readonly onCorrupt: ((event: CorruptLockEvent) => void) | undefined;
}

const HOUR = 3_600_000;

/** Applies defaults and checks the numbers (a programming error throws RangeError). */
export function resolveLockOptions(options: LockBackendOptions): ResolvedLockOptions {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
  }
  const ttlMs = options.ttlMs ?? 0;
  const periodMs = options.periodMs ?? HOUR;
  const releaseDelayMs = options.releaseDelayMs ?? 0;
  for (const [name, value] of [
    ["ttlMs", ttlMs],
    ["releaseDelayMs", releaseDelayMs],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be >= 0, got ${value}`);
  }
  if (!Number.isFinite(periodMs) || periodMs <= 0) throw new RangeError(`periodMs must be > 0, got ${periodMs}`);
  const kube = kubeApiOf(options, "a lock backend");
  return {
    kube,
    settings: {
      concurrency,
      ttl: millisToNanos(ttlMs),
      staleMs: 2 * periodMs,
      refreshAfterMs: periodMs / 2,
    },
    ttlMs,
    releaseDelayMs,
    periodMs,
    clock: options.clock ?? systemClock,
    log: options.log ?? pino({ level: "silent" }),
    random: options.random ?? Math.random,
    detectGoneHolders: options.detectGoneHolders ?? true,
    onCorrupt: options.onCorrupt,
  };
}
