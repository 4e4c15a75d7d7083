import {
  reason,
  type Blocker,
  type BlockerResult,
  type KubeApi,
  type LabelSelector,
  type NodeContext,
} from "@kured/core";
import { describeApiError } from "./api-status.js";
import { listPods } from "./node-pods.js";

/** Pods named in the reason, and the page size of each query (kured's limit). */
export const BLOCKING_PODS_LIMIT = 10;

/** How to build a {@link PodBlocker}. */
export interface PodBlockerOptions {
  /** the API server */
  readonly kube: KubeApi;
  /** `--blocking-pod-selector` values; a pod matching any of them blocks */
  readonly selectors: readonly (LabelSelector | string)[];
}

/**
 * Blocks the reboot while pods matching any `--blocking-pod-selector` run on this node, as kured
 * does: per selector one query across all namespaces for pods on the node in a phase other than
 * Succeeded, Failed or Unknown, at most 10 at a time; a further page only tells that there are
 * more. A failed query blocks too — the reason says why.
 */
export class PodBlocker implements Blocker {
  readonly id = "pods";
  readonly scope = "node" as const;
  readonly selectors: readonly string[];
  private readonly kube: KubeApi;

  constructor(options: PodBlockerOptions) {
    this.kube = options.kube;
    this.selectors = options.selectors.map((s) => s.toString());
  }

  async check(ctx: NodeContext): Promise<BlockerResult> {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const fieldSelector = `spec.nodeName=${ctx.node},status.phase!=Succeeded,status.phase!=Failed,status.phase!=Unknown`;
    const found: string[] = [];
    let more = false;
    for (const labelSelector of this.selectors) {
      try {
        const list = await listPods(
          this.kube,
          { labelSelector, fieldSelector, limit: BLOCKING_PODS_LIMIT },
          ctx.signal,
        );
        for (const pod of list.items ?? []) {
          const key = `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
          if (!found.includes(key)) found.push(key);
        }
        if (list.metadata?.continue) more = true;
      } catch (e) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const why = describeApiError(e);
        ctx.log.warn({ selector: labelSelector, err: why }, "reboot blocked: pod query error");
        return {
          blocked: true,
          reason: reason("pod-query-error", `pod query error (selector ${labelSelector}): ${why}`),
        };
      }
    }
    if (found.length === 0) return { blocked: false };
    const shown = found.slice(0, BLOCKING_PODS_LIMIT);
    const ellipsis = more || found.length > BLOCKING_PODS_LIMIT ? " …" : "";
    const message = `matching pods: [${shown.join(" ")}${ellipsis}]`;
    ctx.log.warn({ pods: shown, more: ellipsis !== "" }, `reboot blocked: ${message}`);
    return { blocked: true, reason: reason("blocking-pods-running", message) };
  }
}
