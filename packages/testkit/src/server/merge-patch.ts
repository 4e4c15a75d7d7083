/** RFC 7386 JSON Merge Patch (`application/merge-patch+json`): objects merge, `null` deletes. */
import { cloneJson, isJsonObject } from "./types.js";

/** Applies a merge patch to a copy of `target`. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const result: Record<string, unknown> = isJsonObject(target) ? cloneJson(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}
