/**
 * RBAC authorization as kube-apiserver's RBAC authorizer decides it, from the Roles,
 * ClusterRoles and bindings stored in the server (loaded from YAML or created through the API).
 */
import { parseAllDocuments } from "yaml";
import type { ObjectStore } from "./object-store.js";
import type { Registry } from "./registry.js";
import { findResource, findResourceByKind, type ResourceType } from "./resources.js";
import { isJsonObject, type KubeObject, type UserInfo } from "./types.js";

/** The attributes of a request that RBAC decides on. */
export interface AuthorizationRequest {
  user: UserInfo;
  verb: string;
  /** true for requests on API resources, false for paths such as /version */
  resourceRequest: boolean;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  path: string;
}

/** Paths every authenticated user may GET (the system:discovery and system:public-info-viewer roles). */
const DISCOVERY_PATHS = [
  /^\/api(\/.*)?$/,
  /^\/apis(\/.*)?$/,
  /^\/version\/?$/,
  /^\/openapi(\/.*)?$/,
  /^\/(healthz|livez|readyz)(\/.*)?$/,
];

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

function ruleAllows(rule: Record<string, unknown>, req: AuthorizationRequest): boolean {
  const verbs = list(rule.verbs);
  if (!verbs.includes("*") && !verbs.includes(req.verb)) return false;
  if (!req.resourceRequest) {
    const urls = list(rule.nonResourceURLs);
    return urls.some((u) => u === "*" || u === req.path || (u.endsWith("*") && req.path.startsWith(u.slice(0, -1))));
  }
  const groups = list(rule.apiGroups);
  if (!groups.includes("*") && !groups.includes(req.apiGroup)) return false;
  const resources = list(rule.resources);
  const full = req.subresource ? `${req.resource}/${req.subresource}` : req.resource;
  const resourceOk = resources.some(
    (r) =>
      r === "*" ||
      r === full ||
      (req.subresource !== "" && (r === `*/${req.subresource}` || r === `${req.resource}/*`)),
  );
  if (!resourceOk) return false;
  const names = list(rule.resourceNames);
  return names.length === 0 || (req.name !== "" && names.includes(req.name));
}

function subjectMatches(subject: unknown, user: UserInfo, bindingNamespace: string): boolean {
  if (!isJsonObject(subject)) return false;
  switch (subject.kind) {
    case "User":
      return subject.name === user.name;
    case "Group":
      return typeof subject.name === "string" && user.groups.includes(subject.name);
    case "ServiceAccount":
      return (
        user.name === `system:serviceaccount:${String(subject.namespace ?? bindingNamespace)}:${String(subject.name)}`
      );
    default:
      return false;
  }
}

/** Decides requests from the RBAC objects in a store. */
export class RbacAuthorizer {
  constructor(private readonly store: ObjectStore) {}

  private rulesOf(kind: string, namespace: string | undefined, name: string): Record<string, unknown>[] {
    const type = findResource(
      "rbac.authorization.k8s.io",
      "v1",
      kind === "ClusterRole" ? "clusterroles" : "roles",
    ) as ResourceType;
    const role = this.store.get(type.storage, kind === "ClusterRole" ? undefined : namespace, name);
    return role && Array.isArray(role.rules) ? role.rules.filter(isJsonObject) : [];
  }

  /** True when some binding grants the request (system:masters is always allowed). */
  authorize(req: AuthorizationRequest): boolean {
    if (req.user.groups.includes("system:masters")) return true;
    if (!req.resourceRequest && req.verb === "get" && DISCOVERY_PATHS.some((p) => p.test(req.path))) return true;
    const crbType = findResource("rbac.authorization.k8s.io", "v1", "clusterrolebindings") as ResourceType;
    for (const b of this.store.list(crbType.storage)) {
      if (!Array.isArray(b.subjects) || !b.subjects.some((s) => subjectMatches(s, req.user, ""))) continue;
      const ref = isJsonObject(b.roleRef) ? b.roleRef : {};
      if (ref.kind !== "ClusterRole") continue;
      if (this.rulesOf("ClusterRole", undefined, String(ref.name)).some((r) => ruleAllows(r, req))) return true;
    }
    if (req.namespace !== "" && req.resourceRequest) {
      const rbType = findResource("rbac.authorization.k8s.io", "v1", "rolebindings") as ResourceType;
      for (const b of this.store.list(rbType.storage, req.namespace)) {
        if (!Array.isArray(b.subjects) || !b.subjects.some((s) => subjectMatches(s, req.user, req.namespace))) continue;
        const ref = isJsonObject(b.roleRef) ? b.roleRef : {};
        const kind = String(ref.kind);
        if (kind !== "Role" && kind !== "ClusterRole") continue;
        if (this.rulesOf(kind, req.namespace, String(ref.name)).some((r) => ruleAllows(r, req))) return true;
      }
    }
    return false;
  }
}

/** The `User "…" cannot <verb> resource "…" in API group "…" …` text of a denial. */
export function forbiddenReason(req: AuthorizationRequest): string {
  if (!req.resourceRequest) return `User "${req.user.name}" cannot ${req.verb} path "${req.path}"`;
  const resource = req.subresource ? `${req.resource}/${req.subresource}` : req.resource;
  const scope = req.namespace ? `in the namespace "${req.namespace}"` : "at the cluster scope";
  return `User "${req.user.name}" cannot ${req.verb} resource "${resource}" in API group "${req.apiGroup}" ${scope}`;
}

/** Parses multi-document YAML (or takes objects) into Kubernetes objects, skipping empty documents. */
export function parseManifests(source: string | KubeObject[]): KubeObject[] {
  if (Array.isArray(source)) return source;
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(source)) {
    if (doc.errors.length > 0) throw doc.errors[0];
    const value: unknown = doc.toJS();
    if (isJsonObject(value) && value.kind === "List" && Array.isArray(value.items))
      out.push(...(value.items.filter(isJsonObject) as KubeObject[]));
    else if (isJsonObject(value)) out.push(value as KubeObject);
  }
  return out;
}

/**
 * Creates (or replaces) every object of the manifests in the registry, creating missing
 * namespaces first. Kinds the server does not serve (e.g. the monitoring CRDs) are skipped and returned.
 */
export function applyManifests(
  registry: Registry,
  source: string | KubeObject[],
): { applied: KubeObject[]; skipped: KubeObject[] } {
  const applied: KubeObject[] = [];
  const skipped: KubeObject[] = [];
  const nsType = findResource("", "v1", "namespaces") as ResourceType;
  for (const obj of parseManifests(source)) {
    const type = findResourceByKind(String(obj.apiVersion), String(obj.kind));
    if (!type) {
      skipped.push(obj);
      continue;
    }
    const ns = type.namespaced ? (obj.metadata?.namespace ?? "default") : undefined;
    if (ns && !registry.store.get(nsType.storage, undefined, ns))
      registry.create(nsType, undefined, { metadata: { name: ns } }, { internal: true });
    const name = obj.metadata?.name;
    if (name && registry.store.get(type.storage, ns, name)) {
      const current = registry.getStored(type, ns, name);
      applied.push(
        registry.update(type, ns, name, {
          ...obj,
          metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion },
        }),
      );
    } else {
      applied.push(registry.create(type, ns, obj, { internal: true }));
    }
  }
  return { applied, skipped };
}
