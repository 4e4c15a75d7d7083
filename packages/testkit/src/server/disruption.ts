/**
 * The disruption controller's arithmetic: which pods a PodDisruptionBudget covers, how many must
 * stay healthy, and how many may be disrupted now (k8s.io/kubernetes pkg/controller/disruption).
 */
import { isJsonObject, type KubeObject, type StoredObject } from "./types.js";

/** The status fields the disruption controller maintains. */
export interface BudgetStatus {
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  disruptionsAllowed: number;
}

/** True when a label selector object (matchLabels/matchExpressions) selects these labels. */
export function selectorMatches(selector: unknown, labels: Record<string, string> | undefined): boolean {
  // policy/v1: a null selector selects nothing, an empty one selects every pod of the namespace
  if (!isJsonObject(selector)) return false;
  const l = labels ?? {};
  const matchLabels = isJsonObject(selector.matchLabels) ? selector.matchLabels : {};
  for (const [k, v] of Object.entries(matchLabels)) if (l[k] !== v) return false;
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const e of exprs) {
    if (!isJsonObject(e) || typeof e.key !== "string") return false;
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const has = e.key in l;
    const value = l[e.key];
    switch (e.operator) {
      case "In":
        if (!has || !values.includes(value as string)) return false;
        break;
      case "NotIn":
        if (has && values.includes(value as string)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Running, Ready and not terminating: what the disruption controller counts as healthy. */
export function isPodHealthy(pod: KubeObject): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  const status = isJsonObject(pod.status) ? pod.status : {};
  if (status.phase !== "Running") return false;
  return isPodReady(pod);
}

/** The pod's Ready condition is True. */
export function isPodReady(pod: KubeObject): boolean {
  const status = isJsonObject(pod.status) ? pod.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return conditions.some((c) => isJsonObject(c) && c.type === "Ready" && c.status === "True");
}

/** An int-or-percent scaled against `total`, rounding up as intstr.GetScaledValueFromIntOrPercent(…, true). */
export function scaledValue(value: unknown, total: number): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\d+%$/.test(value)) return Math.ceil((Number(value.slice(0, -1)) * total) / 100);
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  return 0;
}

/**
 * Computes a budget's status from the pods it selects and the scale of their controllers
 * (`scaleOf(pod)` returns the replicas of the pod's controller and its uid, or undefined).
 */
export function computeBudgetStatus(
  pdb: KubeObject,
  pods: KubeObject[],
  scaleOf: (pod: KubeObject) => { uid: string; replicas: number } | undefined,
): BudgetStatus {
  const spec = isJsonObject(pdb.spec) ? pdb.spec : {};
  const covered = pods.filter((p) => selectorMatches(spec.selector, p.metadata?.labels));
  const currentHealthy = covered.filter(isPodHealthy).length;
  const controllerScale = (): number => {
    const seen = new Map<string, number>();
    let uncontrolled = 0;
    for (const p of covered) {
      const s = scaleOf(p);
      if (s) seen.set(s.uid, s.replicas);
      else uncontrolled += 1;
    }
    return [...seen.values()].reduce((a, b) => a + b, 0) + uncontrolled;
  };
  let expectedPods: number;
  let desiredHealthy: number;
  if (spec.maxUnavailable !== undefined) {
    expectedPods = controllerScale();
    desiredHealthy = Math.max(0, expectedPods - scaledValue(spec.maxUnavailable, expectedPods));
  } else if (typeof spec.minAvailable === "string" && spec.minAvailable.endsWith("%")) {
    expectedPods = controllerScale();
    desiredHealthy = scaledValue(spec.minAvailable, expectedPods);
  } else {
    expectedPods = covered.length;
    desiredHealthy = spec.minAvailable === undefined ? 1 : scaledValue(spec.minAvailable, expectedPods);
  }
  return {
    currentHealthy,
    desiredHealthy,
    expectedPods,
    disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy),
  };
}

/** The `status` object written on a budget. */
export function budgetStatusObject(
  pdb: StoredObject,
  s: BudgetStatus,
  now: string,
  previous: unknown,
): Record<string, unknown> {
  const allowed = s.disruptionsAllowed > 0;
  const prevConditions = isJsonObject(previous) && Array.isArray(previous.conditions) ? previous.conditions : [];
  const prev = prevConditions.find((c) => isJsonObject(c) && c.type === "DisruptionAllowed") as
    Record<string, unknown> | undefined;
  const status = allowed ? "True" : "False";
  return {
    observedGeneration: pdb.metadata.generation ?? 1,
    disruptionsAllowed: s.disruptionsAllowed,
    currentHealthy: s.currentHealthy,
    desiredHealthy: s.desiredHealthy,
    expectedPods: s.expectedPods,
    conditions: [
      {
        type: "DisruptionAllowed",
        status,
        reason: allowed ? "SufficientPods" : "InsufficientPods",
        message: "",
        observedGeneration: pdb.metadata.generation ?? 1,
        lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now,
      },
    ],
  };
}
