import type { V1Node, V1Taint } from "@kubernetes/client-node";
import type { Clock } from "../contracts/clock.js";
import { nodePath, type KubeApi } from "../kube/kube-api.js";
import type { KeyValue } from "../plugin/option.js";
import { retryOnConflict } from "../coordinator/backoff.js";

/** True when the node's Ready condition is True. */
export function isNodeReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** Kured's timestamp format for annotations: RFC 3339, seconds, UTC. */
export function rfc3339Seconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The changes kured makes to its own Node object, each a small patch that survives concurrent
 * updates of the node (labels and annotations merge; taints and cordons are conditional on the
 * resourceVersion just read and retried on conflict).
 */
export class NodeOperations {
  constructor(private readonly options: { kube: KubeApi; node: string; clock: Clock }) {}

  private get path(): string {
    return nodePath(this.options.node);
  }

  get name(): string {
    return this.options.node;
  }

  /** Reads the node. */
  get(): Promise<V1Node> {
    return this.options.kube.get<V1Node>(this.path);
  }

  private mergePatch(body: object): Promise<V1Node> {
    return this.options.kube.patch<V1Node>(this.path, body);
  }

  /** Sets (string) or removes (null) annotations in one merge patch. */
  async annotate(annotations: Readonly<Record<string, string | null>>): Promise<void> {
    if (Object.keys(annotations).length === 0) return;
    await this.mergePatch({ metadata: { annotations } });
  }

  /** Applies `key=value` labels in one merge patch. */
  async label(labels: readonly KeyValue[]): Promise<void> {
    if (labels.length === 0) return;
    await this.mergePatch({ metadata: { labels: Object.fromEntries(labels.map((l) => [l.key, l.value])) } });
  }

  /** Sets spec.unschedulable; returns whether it was set before. Conditional on the version read. */
  setUnschedulable(
    unschedulable: boolean,
    signal?: AbortSignal,
    annotations?: Readonly<Record<string, string | null>>,
  ): Promise<{ wasUnschedulable: boolean }> {
    return retryOnConflict(
      async () => {
        const current = await this.get();
        const was = current.spec?.unschedulable === true;
        if (was !== unschedulable) {
          await this.mergePatch({
            metadata: { resourceVersion: current.metadata?.resourceVersion, ...(annotations ? { annotations } : {}) },
            spec: { unschedulable },
          });
        }
        return { wasUnschedulable: was };
      },
      { clock: this.options.clock, ...(signal ? { signal } : {}) },
    );
  }

  /**
   * Adds or removes a taint with effect PreferNoSchedule (matched on key, as kured). The whole
   * taint list is written conditionally on the resourceVersion read, since a merge patch of a
   * list replaces it.
   */
  setPreferNoScheduleTaint(key: string, present: boolean, signal?: AbortSignal): Promise<boolean> {
    return retryOnConflict(
      async () => {
        const current = await this.get();
        const taints: V1Taint[] = current.spec?.taints ?? [];
        const has = taints.some((t) => t.key === key);
        if (has === present) return false;
        const next = present ? [...taints, { key, effect: "PreferNoSchedule" }] : taints.filter((t) => t.key !== key);
        await this.mergePatch({
          metadata: { resourceVersion: current.metadata?.resourceVersion },
          spec: { taints: next },
        });
        return true;
      },
      { clock: this.options.clock, ...(signal ? { signal } : {}) },
    );
  }
}
