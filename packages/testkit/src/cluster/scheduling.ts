/** The scheduling rules the simulated scheduler and DaemonSet controller apply. */
import { isJsonObject, type KubeObject } from "../server/types.js";

/** The node's Ready condition is True. */
export function isNodeReady(node: KubeObject): boolean {
  const status = isJsonObject(node.status) ? node.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return conditions.some((c) => isJsonObject(c) && c.type === "Ready" && c.status === "True");
}

function tolerates(tolerations: unknown, taint: Record<string, unknown>): boolean {
  if (!Array.isArray(tolerations)) return false;
  return tolerations.some((t) => {
    if (!isJsonObject(t)) return false;
    if (t.effect !== undefined && t.effect !== "" && t.effect !== taint.effect) return false;
    if (t.operator === "Exists") return t.key === undefined || t.key === "" || t.key === taint.key;
    return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
  });
}

/** True when no NoSchedule/NoExecute taint of the node is left untolerated. */
export function toleratesTaints(node: KubeObject, tolerations: unknown): boolean {
  const spec = isJsonObject(node.spec) ? node.spec : {};
  const taints = Array.isArray(spec.taints) ? spec.taints.filter(isJsonObject) : [];
  return taints.every((t) => t.effect === "PreferNoSchedule" || tolerates(tolerations, t));
}

/** Ready, not cordoned and no blocking taint: the scheduler may place the pod here. */
export function isSchedulable(node: KubeObject, tolerations: unknown): boolean {
  const spec = isJsonObject(node.spec) ? node.spec : {};
  return isNodeReady(node) && spec.unschedulable !== true && toleratesTaints(node, tolerations);
}

/** True when the node's labels satisfy a pod's nodeSelector. */
export function matchesNodeSelector(node: KubeObject, nodeSelector: unknown): boolean {
  if (!isJsonObject(nodeSelector)) return true;
  const labels = node.metadata?.labels ?? {};
  return Object.entries(nodeSelector).every(([k, v]) => labels[k] === v);
}
