import type { V1LabelSelector, V1Pod, V1PodDisruptionBudget } from "@kubernetes/client-node";
import type { KubeApi } from "@kured/core";
import { apiCall, type ApiStatus } from "./api-status.js";

/** The API server names the budget in the 429's cause: "The disruption budget <name> needs …". */
const BUDGET_IN_CAUSE = /disruption budget (\S+) needs/i;

/** True when a metav1.LabelSelector selects these labels (policy/v1: an empty selector selects all). */
export function selectorMatches(selector: V1LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (selector === undefined) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const values = e.values ?? [];
    const ok =
      e.operator === "In"
        ? has && values.includes(value as string)
        : e.operator === "NotIn"
          ? !has || !values.includes(value as string)
          : e.operator === "Exists"
            ? has
            : e.operator === "DoesNotExist"
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}

/**
 * The name of the PodDisruptionBudget that refused an eviction: from the 429's cause when the
 * server gives it, else by listing the namespace's budgets (which kured's RBAC may not allow —
 * then undefined).
 */
export async function blockingBudget(
  status: ApiStatus,
  pod: V1Pod,
  kube: KubeApi,
  signal: AbortSignal,
): Promise<string | undefined> {
  for (const cause of status.causes) {
    const name = BUDGET_IN_CAUSE.exec(cause.message ?? "")?.[1];
    if (name) return name;
  }
  if (!status.causes.some((c) => c.reason === "DisruptionBudget")) return undefined;
  const namespace = pod.metadata?.namespace ?? "";
  try {
    const budgets = await apiCall(signal, (options) =>
      kube.get<{ items?: V1PodDisruptionBudget[] | null }>(
        `/apis/policy/v1/namespaces/${encodeURIComponent(namespace)}/poddisruptionbudgets`,
        options,
      ),
    );
    const labels = pod.metadata?.labels ?? {};
    return (budgets.items ?? []).find((b) => selectorMatches(b.spec?.selector, labels))?.metadata?.name;
  } catch (e) {
    if (signal.aborted) throw e;
    return undefined;
  }
}
