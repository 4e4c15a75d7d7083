import type { NodeContext } from "./node-context.js";
import type { Reason } from "./reason.js";

/** How to drain, from the drain flags. */
export interface DrainOptions {
  /** seconds each pod gets to terminate; negative = the pod's own terminationGracePeriodSeconds */
  readonly gracePeriodSeconds: number;
  /** only pods matching this label selector are evicted; `""` = all */
  readonly podSelector: string;
  /** if > 0, pods deleting for longer than this are not waited for */
  readonly skipWaitForDeleteTimeoutSeconds: number;
  /** whole-drain limit in milliseconds; 0 = no limit */
  readonly timeoutMs: number;
  /** pause before retrying an eviction refused by a PodDisruptionBudget */
  readonly evictionRetryDelayMs: number;
}

/** A snapshot of drain progress, for logs, Events and the live view. */
export interface DrainProgress {
  readonly evicted: number;
  readonly remaining: number;
  /** what currently holds the drain up, e.g. the PodDisruptionBudget's name */
  readonly blockedBy?: Reason;
}

export type DrainResult =
  { readonly ok: true } | { readonly ok: false; readonly reason: Reason; readonly remainingPods: readonly string[] };

/**
 * What `cordon` and `uncordon` are given: annotations to write in the same request that changes
 * `spec.unschedulable` (a value of null removes one), so that kured's record of its own cordon
 * can never disagree with the cordon; nothing is written when the node already was so.
 */
export type CordonContext = NodeContext & { readonly annotations?: Readonly<Record<string, string | null>> };

/**
 * Cordons, drains and uncordons this node.
 *
 * Must promise: `cordon` reports whether the node was already unschedulable before the call;
 * `cordon` and `uncordon` write `ctx.annotations` in the very patch that flips the cordon;
 * `drain` uses evictions (so PodDisruptionBudgets are honoured), never touches DaemonSet or
 * mirror pods, stops when the signal aborts, and on failure names the pods left; `uncordon` is
 * idempotent. Cordon/uncordon survive concurrent updates of the Node (retry on conflict).
 */
export interface Drainer {
  cordon(ctx: CordonContext): Promise<{ wasUnschedulable: boolean }>;
  drain(
    ctx: NodeContext & { readonly options: DrainOptions; onProgress?(p: DrainProgress): void },
  ): Promise<DrainResult>;
  uncordon(ctx: CordonContext): Promise<void>;
}
