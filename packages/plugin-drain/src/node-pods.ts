import type { V1Pod } from "@kubernetes/client-node";
import type { KubeApi, KubeQuery } from "@kured/core";
import { apiCall } from "./api-status.js";

/** Page size when listing a node's pods (a node runs at most a few hundred). */
const PAGE_SIZE = 250;

/** A page of pods as the API server sends it. */
export interface PodPage {
  readonly items?: V1Pod[] | null;
  readonly metadata?: { readonly continue?: string };
}

/** One page of pods across all namespaces. */
export function listPods(kube: KubeApi, query: KubeQuery, signal: AbortSignal): Promise<PodPage> {
  return apiCall(signal, (options) => kube.get<PodPage>("/api/v1/pods", { ...options, query }));
}

/** Every pod bound to `node` (optionally matching a label selector), all pages. */
export async function listNodePods(
  kube: KubeApi,
  node: string,
  labelSelector: string,
  signal: AbortSignal,
): Promise<V1Pod[]> {
  const pods: V1Pod[] = [];
  let token: string | undefined;
  do {
    const page = await listPods(
      kube,
      {
        fieldSelector: `spec.nodeName=${node}`,
        ...(labelSelector === "" ? {} : { labelSelector }),
        limit: PAGE_SIZE,
        ...(token ? { continue: token } : {}),
      },
      signal,
    );
    pods.push(...(page.items ?? []));
    token = page.metadata?.continue || undefined;
  } while (token);
  return pods;
}
