import type { V1Pod } from "@kubernetes/client-node";
import { apiCall, type DrainApis } from "./kube-api.js";

/** Page size when listing a node's pods (a node runs at most a few hundred). */
const PAGE_SIZE = 250;

/** Every pod bound to `node` (optionally matching a label selector), all pages. */
export async function listNodePods(
  apis: DrainApis,
  node: string,
  labelSelector: string,
  signal: AbortSignal,
): Promise<V1Pod[]> {
  const pods: V1Pod[] = [];
  let token: string | undefined;
  do {
    const page = await apiCall(signal, () =>
      apis.core.listPodForAllNamespaces(
        {
          fieldSelector: `spec.nodeName=${node}`,
          ...(labelSelector === "" ? {} : { labelSelector }),
          limit: PAGE_SIZE,
          ...(token ? { _continue: token } : {}),
        },
        apis.withSignal(signal),
      ),
    );
    pods.push(...page.items);
    token = page.metadata?._continue || undefined;
  } while (token);
  return pods;
}
