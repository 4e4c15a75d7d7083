/**
 * Strategic merge patch (`application/strategic-merge-patch+json`) for the built-in types the
 * server serves. Lists merge only where the Go types declare a patch strategy (containers by
 * name, conditions by type, ownerReferences by uid, finalizers as a set, …); every other list —
 * notably `spec.taints` and `spec.tolerations`, which are atomic in k8s.io/api — is replaced
 * whole, exactly as a real API server does.
 */
import { PatchError } from "./json-patch.js";
import { cloneJson, isJsonObject } from "./types.js";

type ListStrategy = { mergeKey: string } | "set";

/** Merge strategies by field name, for list fields whose Go type declares one. */
const LIST_STRATEGIES: Record<string, ListStrategy> = {
  ownerReferences: { mergeKey: "uid" },
  finalizers: "set",
  conditions: { mergeKey: "type" },
  addresses: { mergeKey: "type" },
  containers: { mergeKey: "name" },
  initContainers: { mergeKey: "name" },
  ephemeralContainers: { mergeKey: "name" },
  volumes: { mergeKey: "name" },
  volumeMounts: { mergeKey: "mountPath" },
  env: { mergeKey: "name" },
  ports: { mergeKey: "containerPort" },
  imagePullSecrets: { mergeKey: "name" },
  podCIDRs: "set",
};

/** Fields whose lists are atomic even though a merge-keyed field of the same name exists elsewhere. */
function strategyFor(path: string[], field: string): ListStrategy | undefined {
  // Node.status.conditions and Pod.status.conditions merge by type; so do workload conditions.
  // Only `ports` of containers merge (a Service's ports would too, by port, but it is not served).
  if (field === "ports" && path[path.length - 1] !== "containers" && !path.includes("containers")) return undefined;
  return LIST_STRATEGIES[field];
}

function mergeList(
  path: string[],
  field: string,
  original: unknown,
  patch: unknown[],
  deleteFromPrimitive: unknown[] | undefined,
): unknown[] {
  const strategy = strategyFor(path, field);
  const base = Array.isArray(original) ? cloneJson(original) : [];
  if (patch.some((e) => isJsonObject(e) && e.$patch === "replace")) {
    return patch.filter((e) => !(isJsonObject(e) && e.$patch === "replace")).map(stripDirectives);
  }
  if (strategy === undefined) {
    if (deleteFromPrimitive) return base.filter((v) => !deleteFromPrimitive.includes(v));
    return patch.map(stripDirectives);
  }
  if (strategy === "set") {
    const out = base.filter((v) => !deleteFromPrimitive?.includes(v));
    for (const v of patch) if (!out.includes(v)) out.push(v);
    return out;
  }
  const key = strategy.mergeKey;
  const out = base;
  for (const element of patch) {
    if (!isJsonObject(element))
      throw new PatchError(`unable to find api field in struct for the list element ${JSON.stringify(element)}`, true);
    const idx = out.findIndex((e) => isJsonObject(e) && e[key] === element[key]);
    if (element.$patch === "delete") {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = mergeMap([...path, field], out[idx], element);
    else out.push(stripDirectives(element));
  }
  return out;
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isJsonObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith("$")) continue;
    if (v === null) continue;
    out[k] = stripDirectives(v);
  }
  return out;
}

function mergeMap(path: string[], original: unknown, patch: Record<string, unknown>): Record<string, unknown> {
  if (patch.$patch === "replace") return stripDirectives(patch) as Record<string, unknown>;
  const result: Record<string, unknown> = isJsonObject(original) ? cloneJson(original) : {};
  const retainKeys = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as unknown[]) : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$")) continue;
    if (value === null) {
      delete result[key];
    } else if (isJsonObject(value)) {
      if (value.$patch === "delete") delete result[key];
      else result[key] = mergeMap([...path, key], result[key], value);
    } else if (Array.isArray(value)) {
      const del = patch[`$deleteFromPrimitiveList/${key}`];
      result[key] = mergeList(path, key, result[key], value, Array.isArray(del) ? del : undefined);
    } else {
      result[key] = value;
    }
  }
  for (const [key, value] of Object.entries(patch)) {
    const m = /^\$deleteFromPrimitiveList\/(.+)$/.exec(key);
    if (m && Array.isArray(value) && !((m[1] as string) in patch) && Array.isArray(result[m[1] as string])) {
      result[m[1] as string] = (result[m[1] as string] as unknown[]).filter((v) => !value.includes(v));
    }
  }
  if (retainKeys) {
    for (const k of Object.keys(result)) if (!retainKeys.includes(k)) delete result[k];
  }
  return result;
}

/** Applies a strategic merge patch (already parsed) to a copy of `original`. */
export function applyStrategicMergePatch<T>(original: T, patch: unknown): T {
  if (!isJsonObject(patch)) {
    throw new PatchError("json: cannot unmarshal array into Go value of type map[string]interface {}", true);
  }
  return mergeMap([], original, patch) as T;
}
