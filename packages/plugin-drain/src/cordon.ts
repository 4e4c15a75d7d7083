import type { DrainApis } from "./kube-api.js";
import { apiCall } from "./kube-api.js";
import { apiStatus } from "./api-status.js";

/** How often a cordon or uncordon is retried when a concurrent writer changed the node first. */
const CONFLICT_ATTEMPTS = 10;

/**
 * Sets the node's `spec.unschedulable` and tells what it was before. The read and the write are
 * tied by the node's resourceVersion (in the merge patch), so "was it cordoned before us?" is
 * never answered from a stale read; a 409 from a concurrent writer means read again.
 */
export async function setUnschedulable(
  apis: DrainApis,
  node: string,
  unschedulable: boolean,
  signal: AbortSignal,
): Promise<{ wasUnschedulable: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const current = await apiCall(signal, () => apis.core.readNode({ name: node }, apis.withSignal(signal)));
    const wasUnschedulable = current.spec?.unschedulable === true;
    if (wasUnschedulable === unschedulable) return { wasUnschedulable };
    try {
      await apiCall(signal, () =>
        apis.core.patchNode(
          {
            name: node,
            body: { metadata: { resourceVersion: current.metadata?.resourceVersion }, spec: { unschedulable } },
          },
          apis.mergePatch(signal),
        ),
      );
      return { wasUnschedulable };
    } catch (e) {
      if (apiStatus(e).code !== 409 || attempt >= CONFLICT_ATTEMPTS) throw e;
    }
  }
}
