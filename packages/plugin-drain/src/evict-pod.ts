import type { V1Pod } from "@kubernetes/client-node";
import { reason, type KubeApi, type Reason } from "@kured/core";
import { apiCall, apiStatus, describeApiError } from "./api-status.js";
import { blockingBudget } from "./blocking-budget.js";
import { podKey } from "./pod-rules.js";

/** What one eviction request came to. */
export type EvictionOutcome =
  /** accepted: the pod is terminating now */
  | { readonly kind: "accepted" }
  /** the pod is already gone, or was replaced by another with the same name */
  | { readonly kind: "gone" }
  /** refused for now (a PodDisruptionBudget, or API throttling): try again later */
  | { readonly kind: "blocked"; readonly reason: Reason }
  /** a passing failure (connection, 5xx): try again later */
  | { readonly kind: "retry"; readonly error: string }
  /** retrying cannot help: the drain fails */
  | { readonly kind: "fatal"; readonly reason: Reason };

/** The 500 the API server gives when two budgets select a pod. */
const MULTIPLE_BUDGETS = /more than one PodDisruptionBudget/i;

/**
 * Asks the API server to evict one pod through policy/v1 (so PodDisruptionBudgets are honoured),
 * with the drain's grace period (negative = the pod's own) and the pod's UID as a precondition,
 * so a replacement with the same name is never evicted by mistake.
 */
export async function evictPod(
  kube: KubeApi,
  pod: V1Pod,
  gracePeriodSeconds: number,
  signal: AbortSignal,
): Promise<EvictionOutcome> {
  const name = pod.metadata?.name ?? "";
  const namespace = pod.metadata?.namespace ?? "";
  const uid = pod.metadata?.uid;
  try {
    await apiCall(signal, (options) =>
      kube.post(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/eviction`,
        {
          apiVersion: "policy/v1",
          kind: "Eviction",
          metadata: { name, namespace },
          deleteOptions: {
            ...(gracePeriodSeconds >= 0 ? { gracePeriodSeconds } : {}),
            ...(uid ? { preconditions: { uid } } : {}),
          },
        },
        options,
      ),
    );
    return { kind: "accepted" };
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    return classify(e, pod, kube, signal);
  }
}

async function classify(e: unknown, pod: V1Pod, kube: KubeApi, signal: AbortSignal): Promise<EvictionOutcome> {
  const status = apiStatus(e);
  const key = podKey(pod);
  switch (status.code) {
    case 404:
    case 409: // the UID precondition failed: the pod we meant is gone
      return { kind: "gone" };
    case 429: {
      const budget = await blockingBudget(status, pod, kube, signal);
      const detail = status.causes.find((c) => c.reason === "DisruptionBudget")?.message ?? status.message;
      if (budget !== undefined || status.causes.some((c) => c.reason === "DisruptionBudget")) {
        const who = budget ? `PodDisruptionBudget ${pod.metadata?.namespace}/${budget}` : "a PodDisruptionBudget";
        return {
          kind: "blocked",
          reason: reason("pod-disruption-budget", `${who} does not allow evicting ${key} now: ${detail}`),
        };
      }
      return { kind: "blocked", reason: reason("eviction-throttled", `the API server throttles evictions: ${detail}`) };
    }
    case 500:
      if (MULTIPLE_BUDGETS.test(status.message) || status.causes.some((c) => MULTIPLE_BUDGETS.test(c.message ?? ""))) {
        return {
          kind: "fatal",
          reason: reason("multiple-disruption-budgets", `cannot evict ${key}: ${status.message}`),
        };
      }
      return { kind: "retry", error: describeApiError(e) };
    case 403:
    case 422:
      // an eviction in a terminating namespace is refused, but the pod goes anyway
      if (status.causes.some((c) => c.reason === "NamespaceTerminating")) return { kind: "accepted" };
      return { kind: "fatal", reason: reason("eviction-refused", `cannot evict ${key}: ${describeApiError(e)}`) };
    case 400:
    case 401:
    case 405:
      return { kind: "fatal", reason: reason("eviction-refused", `cannot evict ${key}: ${describeApiError(e)}`) };
    default:
      return { kind: "retry", error: describeApiError(e) };
  }
}
