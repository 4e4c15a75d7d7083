/**
 * The resource types the server serves, with what discovery says about them: the same names,
 * kinds, short names, verbs and scope as a Kubernetes 1.32 API server.
 */

/** One served resource type. */
export interface ResourceType {
  group: string;
  version: string;
  /** plural, lower case: the URL segment */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  verbs: string[];
  categories?: string[];
  /** served subresources: status, eviction */
  subresources: string[];
  /** metadata.generation is kept and bumped when `spec` changes */
  generation: boolean;
  /** field selector labels beyond metadata.name and metadata.namespace */
  fieldLabels: string[];
  /** where objects are stored; events.k8s.io events share core events' storage */
  storage: string;
}

const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function rt(
  spec: Omit<ResourceType, "verbs" | "subresources" | "generation" | "fieldLabels" | "storage"> & Partial<ResourceType>,
): ResourceType {
  return {
    verbs: ALL_VERBS,
    subresources: [],
    generation: false,
    fieldLabels: [],
    storage: `${spec.group}/${spec.resource}`,
    ...spec,
  };
}

const EVENT_FIELDS = [
  "involvedObject.kind",
  "involvedObject.namespace",
  "involvedObject.name",
  "involvedObject.uid",
  "involvedObject.apiVersion",
  "involvedObject.resourceVersion",
  "involvedObject.fieldPath",
  "reason",
  "reportingComponent",
  "source",
  "type",
];

/** Every resource type the server serves. */
export const RESOURCE_TYPES: readonly ResourceType[] = [
  rt({
    group: "",
    version: "v1",
    resource: "namespaces",
    singular: "namespace",
    kind: "Namespace",
    namespaced: false,
    shortNames: ["ns"],
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    subresources: ["status"],
    fieldLabels: ["status.phase"],
  }),
  rt({
    group: "",
    version: "v1",
    resource: "nodes",
    singular: "node",
    kind: "Node",
    namespaced: false,
    shortNames: ["no"],
    subresources: ["status"],
    fieldLabels: ["spec.unschedulable"],
  }),
  rt({
    group: "",
    version: "v1",
    resource: "pods",
    singular: "pod",
    kind: "Pod",
    namespaced: true,
    shortNames: ["po"],
    categories: ["all"],
    subresources: ["status", "eviction"],
    fieldLabels: [
      "spec.nodeName",
      "spec.restartPolicy",
      "spec.schedulerName",
      "spec.serviceAccountName",
      "spec.hostNetwork",
      "status.phase",
      "status.podIP",
      "status.nominatedNodeName",
    ],
  }),
  rt({
    group: "",
    version: "v1",
    resource: "events",
    singular: "event",
    kind: "Event",
    namespaced: true,
    shortNames: ["ev"],
    fieldLabels: EVENT_FIELDS,
    storage: "events",
  }),
  rt({
    group: "",
    version: "v1",
    resource: "serviceaccounts",
    singular: "serviceaccount",
    kind: "ServiceAccount",
    namespaced: true,
    shortNames: ["sa"],
  }),
  rt({
    group: "",
    version: "v1",
    resource: "services",
    singular: "service",
    kind: "Service",
    namespaced: true,
    shortNames: ["svc"],
    categories: ["all"],
    subresources: ["status"],
  }),
  rt({
    group: "",
    version: "v1",
    resource: "configmaps",
    singular: "configmap",
    kind: "ConfigMap",
    namespaced: true,
    shortNames: ["cm"],
  }),
  rt({
    group: "apps",
    version: "v1",
    resource: "daemonsets",
    singular: "daemonset",
    kind: "DaemonSet",
    namespaced: true,
    shortNames: ["ds"],
    categories: ["all"],
    subresources: ["status"],
    generation: true,
  }),
  rt({
    group: "apps",
    version: "v1",
    resource: "deployments",
    singular: "deployment",
    kind: "Deployment",
    namespaced: true,
    shortNames: ["deploy"],
    categories: ["all"],
    subresources: ["status"],
    generation: true,
  }),
  rt({
    group: "apps",
    version: "v1",
    resource: "replicasets",
    singular: "replicaset",
    kind: "ReplicaSet",
    namespaced: true,
    shortNames: ["rs"],
    categories: ["all"],
    subresources: ["status"],
    generation: true,
  }),
  rt({
    group: "coordination.k8s.io",
    version: "v1",
    resource: "leases",
    singular: "lease",
    kind: "Lease",
    namespaced: true,
    shortNames: [],
  }),
  rt({
    group: "policy",
    version: "v1",
    resource: "poddisruptionbudgets",
    singular: "poddisruptionbudget",
    kind: "PodDisruptionBudget",
    namespaced: true,
    shortNames: ["pdb"],
    subresources: ["status"],
    generation: true,
  }),
  rt({
    group: "events.k8s.io",
    version: "v1",
    resource: "events",
    singular: "event",
    kind: "Event",
    namespaced: true,
    shortNames: ["ev"],
    fieldLabels: EVENT_FIELDS,
    storage: "events",
  }),
  rt({
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "clusterroles",
    singular: "clusterrole",
    kind: "ClusterRole",
    namespaced: false,
    shortNames: [],
  }),
  rt({
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "clusterrolebindings",
    singular: "clusterrolebinding",
    kind: "ClusterRoleBinding",
    namespaced: false,
    shortNames: [],
  }),
  rt({
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "roles",
    singular: "role",
    kind: "Role",
    namespaced: true,
    shortNames: [],
  }),
  rt({
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "rolebindings",
    singular: "rolebinding",
    kind: "RoleBinding",
    namespaced: true,
    shortNames: [],
  }),
];

/** `v1` or `apps/v1`. */
export function apiVersionOf(t: ResourceType): string {
  return t.group === "" ? t.version : `${t.group}/${t.version}`;
}

/** The resource type served at group/version/resource, if any. */
export function findResource(group: string, version: string, resource: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.resource === resource);
}

/** The resource type of an apiVersion and kind, if served. */
export function findResourceByKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
}

/** The resource type for a kind alone (first match: core events before events.k8s.io). */
export function findResourceByKindName(kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.kind === kind);
}

/** The API groups, in discovery order, with their versions. */
export function apiGroups(): { name: string; versions: string[] }[] {
  const groups: { name: string; versions: string[] }[] = [];
  for (const t of RESOURCE_TYPES) {
    if (t.group === "") continue;
    let g = groups.find((x) => x.name === t.group);
    if (!g) {
      g = { name: t.group, versions: [] };
      groups.push(g);
    }
    if (!g.versions.includes(t.version)) g.versions.push(t.version);
  }
  return groups;
}
