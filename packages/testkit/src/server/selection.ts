/**
 * Label and field selectors of list and watch requests, parsed by @kured/core's selector parsers
 * and applied to stored objects with the field labels each resource type supports.
 */
import { parseFieldSelector, parseLabelSelector, type FieldSelector, type LabelSelector } from "@kured/core";
import type { ResourceType } from "./resources.js";
import { badRequest } from "./status.js";
import { isJsonObject, type KubeObject } from "./types.js";

/** The selectors of one request. */
export interface Selection {
  label: LabelSelector;
  field: FieldSelector;
}

/** Fields whose value is a Go bool rendered with fmt.Sprint (absent = "false"). */
const BOOLEAN_FIELDS = new Set(["spec.unschedulable", "spec.hostNetwork"]);

/** Parses the selectors of a request; a bad one is a 400 BadRequest, as from the real server. */
export function parseSelection(type: ResourceType, labelSelector?: string, fieldSelector?: string): Selection {
  let label: LabelSelector;
  let field: FieldSelector;
  try {
    label = parseLabelSelector(labelSelector ?? "");
  } catch (e) {
    throw badRequest(`unable to parse requirement: ${(e as Error).message}`);
  }
  try {
    field = parseFieldSelector(fieldSelector ?? "");
  } catch (e) {
    throw badRequest((e as Error).message);
  }
  for (const r of field.requirements) {
    if (r.field !== "metadata.name" && r.field !== "metadata.namespace" && !type.fieldLabels.includes(r.field)) {
      throw badRequest(`field label not supported: ${r.field}`);
    }
  }
  return { label, field };
}

/** The value of a field label on an object, as the real server's field set has it. */
export function fieldValue(obj: KubeObject, field: string): string | undefined {
  if (field === "source") {
    const source = obj.source;
    return isJsonObject(source) && typeof source.component === "string" ? source.component : "";
  }
  let node: unknown = obj;
  for (const part of field.split(".")) {
    node = isJsonObject(node) ? node[part] : undefined;
  }
  if (BOOLEAN_FIELDS.has(field)) return node === true ? "true" : "false";
  if (node === undefined || node === null) return "";
  return String(node);
}

/** True when the object matches both selectors. */
export function matchesSelection(sel: Selection, obj: KubeObject): boolean {
  if (!sel.label.isEverything() && !sel.label.matches(obj.metadata?.labels ?? {})) return false;
  if (!sel.field.isEverything() && !sel.field.matches((f) => fieldValue(obj, f))) return false;
  return true;
}
