/**
 * The validation a real API server applies to what kured and its tests write: object names,
 * labels, the MicroTime format, and the required fields of the served kinds.
 */
import { validateLabelKey, validateLabelValue } from "@kured/core";
import type { ResourceType } from "./resources.js";
import { badRequest, invalid, type FieldError } from "./status.js";
import { isJsonObject, type KubeObject } from "./types.js";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** metav1.MicroTime is parsed with Go's "2006-01-02T15:04:05.000000Z07:00": exactly six digits. */
const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

/** MicroTime fields per kind, checked at decode time (a bad one is a 400, not a 422). */
const MICRO_TIME_FIELDS: Record<string, string[][]> = {
  Lease: [
    ["spec", "acquireTime"],
    ["spec", "renewTime"],
  ],
  Event: [["eventTime"]],
};

function at(obj: unknown, path: string[]): unknown {
  let node = obj;
  for (const p of path) node = isJsonObject(node) ? node[p] : undefined;
  return node;
}

/** Rejects MicroTime values that are not six-digit RFC 3339, with the real decode error (400). */
export function checkMicroTimes(type: ResourceType, obj: KubeObject): void {
  for (const path of MICRO_TIME_FIELDS[type.kind] ?? []) {
    const value = at(obj, path);
    if (value === undefined || value === null) continue;
    if (typeof value !== "string" || !MICRO_TIME.test(value)) {
      const frac = typeof value === "string" ? (/\.\d*(Z|[+-].*)?$/.exec(value)?.[0] ?? value) : String(value);
      throw badRequest(
        `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: parsing time "${String(value)}" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "${frac}" as ".000000"`,
      );
    }
  }
}

/** Validates a whole object before it is stored; throws 422 Invalid with every problem found. */
export function validateObject(type: ResourceType, obj: KubeObject): void {
  const errors: FieldError[] = [];
  const meta = obj.metadata ?? {};
  const name = meta.name ?? "";
  const nameRe = type.resource === "namespaces" ? DNS_LABEL : DNS_SUBDOMAIN;
  const maxLength = type.resource === "namespaces" ? 63 : 253;
  if (name === "") {
    errors.push({ type: "FieldValueRequired", field: "metadata.name", detail: "name or generateName is required" });
  } else if (!nameRe.test(name) || name.length > maxLength) {
    errors.push({
      type: "FieldValueInvalid",
      field: "metadata.name",
      value: name,
      detail:
        type.resource === "namespaces"
          ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
          : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    });
  }
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    const keyProblem = validateLabelKey(k);
    if (keyProblem) errors.push({ type: "FieldValueInvalid", field: "metadata.labels", value: k, detail: keyProblem });
    if (typeof v !== "string") {
      errors.push({
        type: "FieldValueInvalid",
        field: `metadata.labels`,
        value: String(v),
        detail: "label values must be strings",
      });
      continue;
    }
    const valueProblem = validateLabelValue(v);
    if (valueProblem)
      errors.push({ type: "FieldValueInvalid", field: "metadata.labels", value: v, detail: valueProblem });
  }
  for (const [k, v] of Object.entries(meta.annotations ?? {})) {
    const keyProblem = validateLabelKey(k);
    if (keyProblem)
      errors.push({ type: "FieldValueInvalid", field: "metadata.annotations", value: k, detail: keyProblem });
    if (typeof v !== "string")
      errors.push({
        type: "FieldValueInvalid",
        field: "metadata.annotations",
        value: String(v),
        detail: "annotation values must be strings",
      });
  }
  kindRules(type, obj, errors);
  if (errors.length > 0) throw invalid(type.group, type.kind, name, errors);
}

function kindRules(type: ResourceType, obj: KubeObject, errors: FieldError[]): void {
  const spec = isJsonObject(obj.spec) ? obj.spec : {};
  if (type.kind === "Pod") {
    const containers = spec.containers;
    if (!Array.isArray(containers) || containers.length === 0) {
      errors.push({ type: "FieldValueRequired", field: "spec.containers", detail: "" });
    }
  }
  if (type.kind === "PodDisruptionBudget") {
    if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
      errors.push({
        type: "FieldValueInvalid",
        field: "spec",
        value: "",
        detail: "minAvailable and maxUnavailable cannot be both set",
      });
    }
  }
  if (type.kind === "Event" && type.group === "events.k8s.io") {
    for (const f of ["eventTime", "reportingController", "reportingInstance", "action"]) {
      if (obj[f] === undefined || obj[f] === "") errors.push({ type: "FieldValueRequired", field: f, detail: "" });
    }
  }
  if (type.kind === "Lease") {
    const d = spec.leaseDurationSeconds;
    if (d !== undefined && (typeof d !== "number" || d <= 0)) {
      errors.push({
        type: "FieldValueInvalid",
        field: "spec.leaseDurationSeconds",
        value: Number(d),
        detail: "must be greater than 0",
      });
    }
  }
}
