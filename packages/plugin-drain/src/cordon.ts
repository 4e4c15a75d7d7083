import type { V1Node } from "@kubernetes/client-node";
import { nodePath, type KubeApi } from "@kured/core";
import { apiCall, apiStatus } from "./api-status.js";

/** How often a cordon or uncordon is retried when a concurrent writer changed the node first. */
const CONFLICT_ATTEMPTS = 10;

/**
 * Sets the node's `spec.unschedulable` and tells what it was before. The read and the write are
 * tied by the node's resourceVersion (in the merge patch), so "was it cordoned before us?" is
 * never answered from a stale read; a 409 from a concurrent writer means read again. `annotations`
 * go in the same patch (kured's record of its own cordon), and only when the cordon changes.
 */
export async function setUnschedulable(
  kube: KubeApi,
  node: string,
  unschedulable: boolean,
  signal: AbortSignal,
  annotations?: Readonly<Record<string, string | null>>,
): Promise<{ wasUnschedulable: boolean }> {
  const path = nodePath(node);
  for (let attempt = 1; ; attempt++) {
    const current = await apiCall(signal, (options) => kube.get<V1Node>(path, options));
    const wasUnschedulable = current.spec?.unschedulable === true;
    if (wasUnschedulable === unschedulable) return { wasUnschedulable };
    try {
      await apiCall(signal, (options) =>
        kube.patch<V1Node>(
          path,
          {
            metadata: { resourceVersion: current.metadata?.resourceVersion, ...(annotations ? { annotations } : {}) },
            spec: { unschedulable },
          },
          options,
        ),
      );
      return { wasUnschedulable };
    } catch (e) {
      if (apiStatus(e).code !== 409 || attempt >= CONFLICT_ATTEMPTS) throw e;
    }
  }
}
