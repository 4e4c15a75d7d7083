/**
 * The OpenAPI documents of the served kinds (`/openapi/v2`, `/openapi/v3` and
 * `/openapi/v3/<api|apis/group>/<version>`), and the field validation (`?fieldValidation=`) that
 * kube-apiserver derives from the same schemas.
 *
 * kubectl 1.35 reads the v3 index first; a group version whose PATCH operations take the
 * `fieldValidation` parameter makes it leave validation to the server: it sends
 * `fieldValidation=Strict` (`--validate=true`, the default), `Warn` or `Ignore`, and the server
 * answers unknown fields with a 400 or with `Warning` headers. The schemas list every field of the
 * Go types for the objects kured and its chart write (metadata, workloads and pod templates, RBAC,
 * ServiceAccounts, Services, ConfigMaps, Leases, PDBs, Events, Nodes); parts nobody here writes
 * (statuses, most volume sources, affinity) are open objects, whose contents are not checked.
 */
import { createHash } from "node:crypto";
import { SERVER_VERSION } from "./discovery.js";
import { apiVersionOf, RESOURCE_TYPES, type ResourceType } from "./resources.js";
import { isJsonObject } from "./types.js";

/** An OpenAPI schema object; `$ref` holds a bare definition name until a document is written. */
export type Schema = { [key: string]: unknown };

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";

// ----- schema building blocks -------------------------------------------------------------------

const STR: Schema = { type: "string" };
const BOOL: Schema = { type: "boolean" };
const INT32: Schema = { type: "integer", format: "int32" };
const INT64: Schema = { type: "integer", format: "int64" };
const STRS: Schema = { type: "array", items: STR };
const STR_MAP: Schema = { type: "object", additionalProperties: STR };
/** An object whose contents this server does not check (real schemas list them; nothing here writes them). */
const OPEN: Schema = { type: "object", "x-kubernetes-preserve-unknown-fields": true };

const ref = (name: string): Schema => ({ $ref: name });
const arr = (items: Schema): Schema => ({ type: "array", items });
const map = (values: Schema): Schema => ({ type: "object", additionalProperties: values });
const obj = (properties: Record<string, Schema>, required?: string[]): Schema =>
  required ? { type: "object", properties, required } : { type: "object", properties };
/** An object with these fields, each an open object (a union of sources, say). */
const openFields = (names: string[], extra: Record<string, Schema> = {}, required?: string[]): Schema =>
  obj({ ...Object.fromEntries(names.map((n) => [n, OPEN])), ...extra }, required);

const TIME = ref(`${META}.Time`);
const MICRO_TIME = ref(`${META}.MicroTime`);
const INT_OR_STRING = ref("io.k8s.apimachinery.pkg.util.intstr.IntOrString");
const QUANTITY_MAP = map(ref("io.k8s.apimachinery.pkg.api.resource.Quantity"));
const OBJECT_META = ref(`${META}.ObjectMeta`);
const LABEL_SELECTOR = ref(`${META}.LabelSelector`);

/** apiVersion, kind, metadata, then the kind's own fields. */
function topLevel(fields: Record<string, Schema>, metadata = OBJECT_META): Schema {
  return obj({ apiVersion: STR, kind: STR, metadata, ...fields });
}

// ----- definitions --------------------------------------------------------------------------------

const CORE = "io.k8s.api.core.v1";
const APPS = "io.k8s.api.apps.v1";
const RBAC = "io.k8s.api.rbac.v1";

const VOLUME_SOURCES = [
  "awsElasticBlockStore",
  "azureDisk",
  "azureFile",
  "cephfs",
  "cinder",
  "csi",
  "downwardAPI",
  "ephemeral",
  "fc",
  "flexVolume",
  "flocker",
  "gcePersistentDisk",
  "gitRepo",
  "glusterfs",
  "image",
  "iscsi",
  "nfs",
  "persistentVolumeClaim",
  "photonPersistentDisk",
  "portworxVolume",
  "projected",
  "quobyte",
  "rbd",
  "scaleIO",
  "storageos",
  "vsphereVolume",
];

const DEFINITIONS: Record<string, Schema> = {
  [`${META}.Time`]: { type: "string", format: "date-time" },
  [`${META}.MicroTime`]: { type: "string", format: "date-time" },
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": { type: "string", format: "int-or-string" },
  "io.k8s.apimachinery.pkg.api.resource.Quantity": { type: "string", format: "quantity" },
  [`${META}.ObjectMeta`]: obj({
    annotations: STR_MAP,
    creationTimestamp: TIME,
    deletionGracePeriodSeconds: INT64,
    deletionTimestamp: TIME,
    finalizers: STRS,
    generateName: STR,
    generation: INT64,
    labels: STR_MAP,
    managedFields: arr(ref(`${META}.ManagedFieldsEntry`)),
    name: STR,
    namespace: STR,
    ownerReferences: arr(ref(`${META}.OwnerReference`)),
    resourceVersion: STR,
    selfLink: STR,
    uid: STR,
  }),
  [`${META}.ListMeta`]: obj({ continue: STR, remainingItemCount: INT64, resourceVersion: STR, selfLink: STR }),
  [`${META}.OwnerReference`]: obj(
    { apiVersion: STR, blockOwnerDeletion: BOOL, controller: BOOL, kind: STR, name: STR, uid: STR },
    ["apiVersion", "kind", "name", "uid"],
  ),
  [`${META}.ManagedFieldsEntry`]: obj({
    apiVersion: STR,
    fieldsType: STR,
    fieldsV1: OPEN,
    manager: STR,
    operation: STR,
    subresource: STR,
    time: TIME,
  }),
  [`${META}.LabelSelector`]: obj({
    matchExpressions: arr(ref(`${META}.LabelSelectorRequirement`)),
    matchLabels: STR_MAP,
  }),
  [`${META}.LabelSelectorRequirement`]: obj({ key: STR, operator: STR, values: STRS }, ["key", "operator"]),
  [`${META}.Patch`]: { type: "object" },
  [`${META}.Status`]: obj({
    apiVersion: STR,
    code: INT32,
    details: OPEN,
    kind: STR,
    message: STR,
    metadata: ref(`${META}.ListMeta`),
    reason: STR,
    status: STR,
  }),

  // core/v1: pods and the pod template
  [`${CORE}.PodTemplateSpec`]: obj({ metadata: OBJECT_META, spec: ref(`${CORE}.PodSpec`) }),
  [`${CORE}.PodSpec`]: obj(
    {
      activeDeadlineSeconds: INT64,
      affinity: OPEN,
      automountServiceAccountToken: BOOL,
      containers: arr(ref(`${CORE}.Container`)),
      dnsConfig: OPEN,
      dnsPolicy: STR,
      enableServiceLinks: BOOL,
      ephemeralContainers: arr(OPEN),
      hostAliases: arr(OPEN),
      hostIPC: BOOL,
      hostNetwork: BOOL,
      hostPID: BOOL,
      hostUsers: BOOL,
      hostname: STR,
      imagePullSecrets: arr(ref(`${CORE}.LocalObjectReference`)),
      initContainers: arr(ref(`${CORE}.Container`)),
      nodeName: STR,
      nodeSelector: STR_MAP,
      os: OPEN,
      overhead: QUANTITY_MAP,
      preemptionPolicy: STR,
      priority: INT32,
      priorityClassName: STR,
      readinessGates: arr(OPEN),
      resourceClaims: arr(OPEN),
      resources: ref(`${CORE}.ResourceRequirements`),
      restartPolicy: STR,
      runtimeClassName: STR,
      schedulerName: STR,
      schedulingGates: arr(OPEN),
      securityContext: OPEN,
      serviceAccount: STR,
      serviceAccountName: STR,
      setHostnameAsFQDN: BOOL,
      shareProcessNamespace: BOOL,
      subdomain: STR,
      terminationGracePeriodSeconds: INT64,
      tolerations: arr(ref(`${CORE}.Toleration`)),
      topologySpreadConstraints: arr(OPEN),
      volumes: arr(ref(`${CORE}.Volume`)),
    },
    ["containers"],
  ),
  [`${CORE}.Container`]: obj(
    {
      args: STRS,
      command: STRS,
      env: arr(ref(`${CORE}.EnvVar`)),
      envFrom: arr(openFields(["configMapRef", "secretRef"], { prefix: STR })),
      image: STR,
      imagePullPolicy: STR,
      lifecycle: OPEN,
      livenessProbe: ref(`${CORE}.Probe`),
      name: STR,
      ports: arr(ref(`${CORE}.ContainerPort`)),
      readinessProbe: ref(`${CORE}.Probe`),
      resizePolicy: arr(OPEN),
      resources: ref(`${CORE}.ResourceRequirements`),
      restartPolicy: STR,
      securityContext: ref(`${CORE}.SecurityContext`),
      startupProbe: ref(`${CORE}.Probe`),
      stdin: BOOL,
      stdinOnce: BOOL,
      terminationMessagePath: STR,
      terminationMessagePolicy: STR,
      tty: BOOL,
      volumeDevices: arr(OPEN),
      volumeMounts: arr(ref(`${CORE}.VolumeMount`)),
      workingDir: STR,
    },
    ["name"],
  ),
  [`${CORE}.EnvVar`]: obj({ name: STR, value: STR, valueFrom: ref(`${CORE}.EnvVarSource`) }, ["name"]),
  [`${CORE}.EnvVarSource`]: obj({
    configMapKeyRef: obj({ key: STR, name: STR, optional: BOOL }, ["key"]),
    fieldRef: obj({ apiVersion: STR, fieldPath: STR }, ["fieldPath"]),
    resourceFieldRef: obj(
      { containerName: STR, divisor: ref("io.k8s.apimachinery.pkg.api.resource.Quantity"), resource: STR },
      ["resource"],
    ),
    secretKeyRef: obj({ key: STR, name: STR, optional: BOOL }, ["key"]),
  }),
  [`${CORE}.ContainerPort`]: obj({ containerPort: INT32, hostIP: STR, hostPort: INT32, name: STR, protocol: STR }, [
    "containerPort",
  ]),
  [`${CORE}.VolumeMount`]: obj(
    {
      mountPath: STR,
      mountPropagation: STR,
      name: STR,
      readOnly: BOOL,
      recursiveReadOnly: STR,
      subPath: STR,
      subPathExpr: STR,
    },
    ["name", "mountPath"],
  ),
  [`${CORE}.Volume`]: openFields(
    VOLUME_SOURCES,
    {
      name: STR,
      configMap: openFields(["items"], { defaultMode: INT32, name: STR, optional: BOOL }),
      emptyDir: obj({ medium: STR, sizeLimit: ref("io.k8s.apimachinery.pkg.api.resource.Quantity") }),
      hostPath: obj({ path: STR, type: STR }, ["path"]),
      secret: openFields(["items"], { defaultMode: INT32, optional: BOOL, secretName: STR }),
    },
    ["name"],
  ),
  [`${CORE}.Toleration`]: obj({ effect: STR, key: STR, operator: STR, tolerationSeconds: INT64, value: STR }),
  [`${CORE}.ResourceRequirements`]: obj({ claims: arr(OPEN), limits: QUANTITY_MAP, requests: QUANTITY_MAP }),
  [`${CORE}.Probe`]: obj({
    exec: obj({ command: STRS }),
    failureThreshold: INT32,
    grpc: OPEN,
    httpGet: obj(
      {
        host: STR,
        httpHeaders: arr(obj({ name: STR, value: STR }, ["name", "value"])),
        path: STR,
        port: INT_OR_STRING,
        scheme: STR,
      },
      ["port"],
    ),
    initialDelaySeconds: INT32,
    periodSeconds: INT32,
    successThreshold: INT32,
    tcpSocket: obj({ host: STR, port: INT_OR_STRING }, ["port"]),
    terminationGracePeriodSeconds: INT64,
    timeoutSeconds: INT32,
  }),
  [`${CORE}.SecurityContext`]: openFields(
    ["appArmorProfile", "capabilities", "seLinuxOptions", "seccompProfile", "windowsOptions"],
    {
      allowPrivilegeEscalation: BOOL,
      privileged: BOOL,
      procMount: STR,
      readOnlyRootFilesystem: BOOL,
      runAsGroup: INT64,
      runAsNonRoot: BOOL,
      runAsUser: INT64,
    },
  ),
  [`${CORE}.LocalObjectReference`]: obj({ name: STR }),
  [`${CORE}.ObjectReference`]: obj({
    apiVersion: STR,
    fieldPath: STR,
    kind: STR,
    name: STR,
    namespace: STR,
    resourceVersion: STR,
    uid: STR,
  }),
  [`${CORE}.Pod`]: topLevel({ spec: ref(`${CORE}.PodSpec`), status: OPEN }),
  [`${CORE}.Namespace`]: topLevel({ spec: ref(`${CORE}.NamespaceSpec`), status: OPEN }),
  [`${CORE}.NamespaceSpec`]: obj({ finalizers: STRS }),
  [`${CORE}.Node`]: topLevel({ spec: ref(`${CORE}.NodeSpec`), status: OPEN }),
  [`${CORE}.NodeSpec`]: obj({
    configSource: OPEN,
    externalID: STR,
    podCIDR: STR,
    podCIDRs: STRS,
    providerID: STR,
    taints: arr(ref(`${CORE}.Taint`)),
    unschedulable: BOOL,
  }),
  [`${CORE}.Taint`]: obj({ effect: STR, key: STR, timeAdded: TIME, value: STR }, ["key", "effect"]),
  [`${CORE}.Event`]: topLevel({
    action: STR,
    count: INT32,
    eventTime: MICRO_TIME,
    firstTimestamp: TIME,
    involvedObject: ref(`${CORE}.ObjectReference`),
    lastTimestamp: TIME,
    message: STR,
    reason: STR,
    related: ref(`${CORE}.ObjectReference`),
    reportingComponent: STR,
    reportingInstance: STR,
    series: ref(`${CORE}.EventSeries`),
    source: ref(`${CORE}.EventSource`),
    type: STR,
  }),
  [`${CORE}.EventSeries`]: obj({ count: INT32, lastObservedTime: MICRO_TIME }),
  [`${CORE}.EventSource`]: obj({ component: STR, host: STR }),
  [`${CORE}.ServiceAccount`]: topLevel({
    automountServiceAccountToken: BOOL,
    imagePullSecrets: arr(ref(`${CORE}.LocalObjectReference`)),
    secrets: arr(ref(`${CORE}.ObjectReference`)),
  }),
  [`${CORE}.Service`]: topLevel({ spec: ref(`${CORE}.ServiceSpec`), status: OPEN }),
  [`${CORE}.ServiceSpec`]: obj({
    allocateLoadBalancerNodePorts: BOOL,
    clusterIP: STR,
    clusterIPs: STRS,
    externalIPs: STRS,
    externalName: STR,
    externalTrafficPolicy: STR,
    healthCheckNodePort: INT32,
    internalTrafficPolicy: STR,
    ipFamilies: STRS,
    ipFamilyPolicy: STR,
    loadBalancerClass: STR,
    loadBalancerIP: STR,
    loadBalancerSourceRanges: STRS,
    ports: arr(ref(`${CORE}.ServicePort`)),
    publishNotReadyAddresses: BOOL,
    selector: STR_MAP,
    sessionAffinity: STR,
    sessionAffinityConfig: OPEN,
    trafficDistribution: STR,
    type: STR,
  }),
  [`${CORE}.ServicePort`]: obj(
    { appProtocol: STR, name: STR, nodePort: INT32, port: INT32, protocol: STR, targetPort: INT_OR_STRING },
    ["port"],
  ),
  [`${CORE}.ConfigMap`]: topLevel({
    binaryData: map({ type: "string", format: "byte" }),
    data: STR_MAP,
    immutable: BOOL,
  }),

  // apps/v1
  [`${APPS}.DaemonSet`]: topLevel({ spec: ref(`${APPS}.DaemonSetSpec`), status: OPEN }),
  [`${APPS}.DaemonSetSpec`]: obj(
    {
      minReadySeconds: INT32,
      revisionHistoryLimit: INT32,
      selector: LABEL_SELECTOR,
      template: ref(`${CORE}.PodTemplateSpec`),
      updateStrategy: ref(`${APPS}.DaemonSetUpdateStrategy`),
    },
    ["selector", "template"],
  ),
  [`${APPS}.DaemonSetUpdateStrategy`]: obj({ rollingUpdate: ref(`${APPS}.RollingUpdateDaemonSet`), type: STR }),
  [`${APPS}.RollingUpdateDaemonSet`]: obj({ maxSurge: INT_OR_STRING, maxUnavailable: INT_OR_STRING }),
  [`${APPS}.Deployment`]: topLevel({ spec: ref(`${APPS}.DeploymentSpec`), status: OPEN }),
  [`${APPS}.DeploymentSpec`]: obj(
    {
      minReadySeconds: INT32,
      paused: BOOL,
      progressDeadlineSeconds: INT32,
      replicas: INT32,
      revisionHistoryLimit: INT32,
      selector: LABEL_SELECTOR,
      strategy: ref(`${APPS}.DeploymentStrategy`),
      template: ref(`${CORE}.PodTemplateSpec`),
    },
    ["selector", "template"],
  ),
  [`${APPS}.DeploymentStrategy`]: obj({ rollingUpdate: ref(`${APPS}.RollingUpdateDeployment`), type: STR }),
  [`${APPS}.RollingUpdateDeployment`]: obj({ maxSurge: INT_OR_STRING, maxUnavailable: INT_OR_STRING }),
  [`${APPS}.ReplicaSet`]: topLevel({ spec: ref(`${APPS}.ReplicaSetSpec`), status: OPEN }),
  [`${APPS}.ReplicaSetSpec`]: obj(
    { minReadySeconds: INT32, replicas: INT32, selector: LABEL_SELECTOR, template: ref(`${CORE}.PodTemplateSpec`) },
    ["selector"],
  ),

  // coordination, policy, events
  "io.k8s.api.coordination.v1.Lease": topLevel({ spec: ref("io.k8s.api.coordination.v1.LeaseSpec") }),
  "io.k8s.api.coordination.v1.LeaseSpec": obj({
    acquireTime: MICRO_TIME,
    holderIdentity: STR,
    leaseDurationSeconds: INT32,
    leaseTransitions: INT32,
    preferredHolder: STR,
    renewTime: MICRO_TIME,
    strategy: STR,
  }),
  "io.k8s.api.policy.v1.PodDisruptionBudget": topLevel({
    spec: ref("io.k8s.api.policy.v1.PodDisruptionBudgetSpec"),
    status: OPEN,
  }),
  "io.k8s.api.policy.v1.PodDisruptionBudgetSpec": obj({
    maxUnavailable: INT_OR_STRING,
    minAvailable: INT_OR_STRING,
    selector: LABEL_SELECTOR,
    unhealthyPodEvictionPolicy: STR,
  }),
  "io.k8s.api.events.v1.Event": topLevel({
    action: STR,
    deprecatedCount: INT32,
    deprecatedFirstTimestamp: TIME,
    deprecatedLastTimestamp: TIME,
    deprecatedSource: ref(`${CORE}.EventSource`),
    eventTime: MICRO_TIME,
    note: STR,
    reason: STR,
    regarding: ref(`${CORE}.ObjectReference`),
    related: ref(`${CORE}.ObjectReference`),
    reportingController: STR,
    reportingInstance: STR,
    series: ref("io.k8s.api.events.v1.EventSeries"),
    type: STR,
  }),
  "io.k8s.api.events.v1.EventSeries": obj({ count: INT32, lastObservedTime: MICRO_TIME }, [
    "count",
    "lastObservedTime",
  ]),

  // rbac.authorization.k8s.io/v1
  [`${RBAC}.PolicyRule`]: obj(
    { apiGroups: STRS, nonResourceURLs: STRS, resourceNames: STRS, resources: STRS, verbs: STRS },
    ["verbs"],
  ),
  [`${RBAC}.RoleRef`]: obj({ apiGroup: STR, kind: STR, name: STR }, ["apiGroup", "kind", "name"]),
  [`${RBAC}.Subject`]: obj({ apiGroup: STR, kind: STR, name: STR, namespace: STR }, ["kind", "name"]),
  [`${RBAC}.ClusterRole`]: topLevel({
    aggregationRule: ref(`${RBAC}.AggregationRule`),
    rules: arr(ref(`${RBAC}.PolicyRule`)),
  }),
  [`${RBAC}.AggregationRule`]: obj({ clusterRoleSelectors: arr(LABEL_SELECTOR) }),
  [`${RBAC}.Role`]: topLevel({ rules: arr(ref(`${RBAC}.PolicyRule`)) }),
  [`${RBAC}.ClusterRoleBinding`]: topLevel({ roleRef: ref(`${RBAC}.RoleRef`), subjects: arr(ref(`${RBAC}.Subject`)) }),
  [`${RBAC}.RoleBinding`]: topLevel({ roleRef: ref(`${RBAC}.RoleRef`), subjects: arr(ref(`${RBAC}.Subject`)) }),
};

/** `io.k8s.api.apps.v1` for apps/v1. */
function packageOf(t: ResourceType): string {
  const group = t.group === "" ? "core" : t.group.replace(/\.k8s\.io$/, "").replace(/\.authorization$/, "");
  return `io.k8s.api.${group}.${t.version}`;
}

/** The definition name of a served kind: `io.k8s.api.apps.v1.DaemonSet`. */
export function definitionName(t: ResourceType): string {
  return `${packageOf(t)}.${t.kind}`;
}

function gvk(t: ResourceType, kind = t.kind): { group: string; kind: string; version: string } {
  return { group: t.group, kind, version: t.version };
}

let definitionsCache: Record<string, Schema> | undefined;

/** Every definition, with the kinds' and their lists' x-kubernetes-group-version-kind. */
function allDefinitions(): Record<string, Schema> {
  if (definitionsCache) return definitionsCache;
  const defs: Record<string, Schema> = { ...DEFINITIONS };
  for (const t of RESOURCE_TYPES) {
    const name = definitionName(t);
    const kind = DEFINITIONS[name];
    if (!kind) throw new Error(`openapi: no schema for ${apiVersionOf(t)} ${t.kind}`);
    // a kind served in several group versions (core and events.k8s.io events) has a definition each
    defs[name] = { ...kind, "x-kubernetes-group-version-kind": [gvk(t)] };
    defs[`${name}List`] = {
      ...obj({ apiVersion: STR, items: arr(ref(name)), kind: STR, metadata: ref(`${META}.ListMeta`) }, ["items"]),
      "x-kubernetes-group-version-kind": [gvk(t, `${t.kind}List`)],
    };
  }
  definitionsCache = defs;
  return defs;
}

// ----- paths --------------------------------------------------------------------------------------

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function pascal(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `AppsV1`, `CoreV1`, `RbacAuthorizationV1`, `CoordinationV1`. */
function opGroup(t: ResourceType): string {
  const g = t.group === "" ? "core" : t.group.replace(/\.k8s\.io$/, "");
  return g.split(".").map(pascal).join("") + pascal(t.version);
}

interface Param {
  name: string;
  in: "query" | "path";
  description: string;
  type: "string" | "boolean";
}

const P_PRETTY: Param = {
  name: "pretty",
  in: "query",
  description: "If 'true', the output is pretty printed.",
  type: "string",
};
const P_FIELD_MANAGER: Param = {
  name: "fieldManager",
  in: "query",
  description: "A name associated with the actor or entity that is making these changes.",
  type: "string",
};
const P_FIELD_VALIDATION: Param = {
  name: "fieldValidation",
  in: "query",
  description:
    "How the server treats unknown fields in the request body: Ignore (no check), Warn (a Warning header per field; the default) or Strict (fail the request with a BadRequest). This server keeps unknown fields where kube-apiserver drops them.",
  type: "string",
};
const P_NAME: Param = { name: "name", in: "path", description: "name of the object", type: "string" };
const P_NAMESPACE: Param = { name: "namespace", in: "path", description: "object name and auth scope", type: "string" };
const LIST_PARAMS: Param[] = [
  "labelSelector",
  "fieldSelector",
  "limit",
  "continue",
  "resourceVersion",
  "timeoutSeconds",
  "watch",
].map((name) => ({ name, in: "query", description: name, type: name === "watch" ? "boolean" : "string" }));

/**
 * PATCH bodies the documents name. Strategic merge patch is served but not named: kubectl then
 * computes `apply` patches from its compiled-in Go types (the real patch strategies) instead of
 * from these partial schemas, which carry no patch-merge keys.
 */
const PATCH_CONTENT_TYPES = ["application/json-patch+json", "application/merge-patch+json"];

interface Operation {
  method: "get" | "put" | "post" | "patch" | "delete";
  action: string;
  operationId: string;
  params: Param[];
  /** definition of the request body, if any */
  body?: string;
  patch?: boolean;
  /** definition of the 200/201 response */
  response: string;
  kind: string;
}

interface PathItem {
  path: string;
  params: Param[];
  operations: Operation[];
}

function pathItems(t: ResourceType): PathItem[] {
  const prefix = t.group === "" ? `/api/${t.version}` : `/apis/${t.group}/${t.version}`;
  const ns = t.namespaced ? "Namespaced" : "";
  const base = t.namespaced ? `${prefix}/namespaces/{namespace}/${t.resource}` : `${prefix}/${t.resource}`;
  const scope = t.namespaced ? [P_NAMESPACE] : [];
  const def = definitionName(t);
  const g = opGroup(t);
  // no dryRun: the server does not honour it, so the documents do not offer it
  const write = [P_FIELD_MANAGER, P_FIELD_VALIDATION];
  const has = (verb: string): boolean => t.verbs.includes(verb);
  const items: PathItem[] = [];
  const collection: Operation[] = [];
  if (has("list"))
    collection.push({
      method: "get",
      action: "list",
      operationId: `list${g}${ns}${t.kind}`,
      params: LIST_PARAMS,
      response: `${def}List`,
      kind: t.kind,
    });
  if (has("create"))
    collection.push({
      method: "post",
      action: "post",
      operationId: `create${g}${ns}${t.kind}`,
      params: write,
      body: def,
      response: def,
      kind: t.kind,
    });
  if (has("deletecollection"))
    collection.push({
      method: "delete",
      action: "deletecollection",
      operationId: `delete${g}Collection${ns}${t.kind}`,
      params: LIST_PARAMS,
      response: `${META}.Status`,
      kind: t.kind,
    });
  items.push({ path: base, params: [...scope, P_PRETTY], operations: collection });
  const one: Operation[] = [];
  if (has("get"))
    one.push({
      method: "get",
      action: "get",
      operationId: `read${g}${ns}${t.kind}`,
      params: [],
      response: def,
      kind: t.kind,
    });
  if (has("update"))
    one.push({
      method: "put",
      action: "put",
      operationId: `replace${g}${ns}${t.kind}`,
      params: write,
      body: def,
      response: def,
      kind: t.kind,
    });
  if (has("patch"))
    one.push({
      method: "patch",
      action: "patch",
      operationId: `patch${g}${ns}${t.kind}`,
      params: write,
      patch: true,
      response: def,
      kind: t.kind,
    });
  if (has("delete"))
    one.push({
      method: "delete",
      action: "delete",
      operationId: `delete${g}${ns}${t.kind}`,
      params: [],
      response: `${META}.Status`,
      kind: t.kind,
    });
  items.push({ path: `${base}/{name}`, params: [P_NAME, ...scope, P_PRETTY], operations: one });
  if (t.namespaced && has("list")) {
    items.push({
      path: `${prefix}/${t.resource}`,
      params: [P_PRETTY],
      operations: [
        {
          method: "get",
          action: "list",
          operationId: `list${g}${t.kind}ForAllNamespaces`,
          params: LIST_PARAMS,
          response: `${def}List`,
          kind: t.kind,
        },
      ],
    });
  }
  if (t.subresources.includes("status")) {
    const k = `${t.kind}Status`;
    items.push({
      path: `${base}/{name}/status`,
      params: [P_NAME, ...scope, P_PRETTY],
      operations: [
        { method: "get", action: "get", operationId: `read${g}${ns}${k}`, params: [], response: def, kind: t.kind },
        {
          method: "put",
          action: "put",
          operationId: `replace${g}${ns}${k}`,
          params: write,
          body: def,
          response: def,
          kind: t.kind,
        },
        {
          method: "patch",
          action: "patch",
          operationId: `patch${g}${ns}${k}`,
          params: write,
          patch: true,
          response: def,
          kind: t.kind,
        },
      ],
    });
  }
  return items;
}

// ----- documents ----------------------------------------------------------------------------------

/** Copies a schema with every bare `$ref` turned into `<prefix><name>`. */
function withRefs(schema: unknown, prefix: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => withRefs(s, prefix));
  if (!isJsonObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === "$ref" ? `${prefix}${String(v)}` : withRefs(v, prefix);
  return out;
}

/** The names of the definitions `roots` refer to, transitively. */
function closure(defs: Record<string, Schema>, roots: string[]): string[] {
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (isJsonObject(node)) {
      for (const [k, v] of Object.entries(node)) {
        if (k === "$ref" && typeof v === "string") add(v);
        else visit(v);
      }
    }
  };
  const add = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    visit(defs[name]);
  };
  roots.forEach(add);
  return [...seen].sort();
}

const INFO = { title: "Kubernetes", version: SERVER_VERSION.gitVersion };

function v3Operation(op: Operation, t: ResourceType): Record<string, unknown> {
  const schemaRef = { $ref: `#/components/schemas/${op.response}` };
  const out: Record<string, unknown> = {
    tags: [`${lowerFirst(opGroup(t).replace(/V\d.*$/, ""))}_${t.version}`],
    description: `${op.action} ${t.kind}`,
    operationId: op.operationId,
  };
  if (op.params.length > 0) {
    out.parameters = op.params.map((p) => ({
      name: p.name,
      in: p.in,
      description: p.description,
      schema: { type: p.type, uniqueItems: true },
    }));
  }
  if (op.body) {
    out.requestBody = { content: { "*/*": { schema: { $ref: `#/components/schemas/${op.body}` } } }, required: true };
  } else if (op.patch) {
    const patchRef = { $ref: `#/components/schemas/${META}.Patch` };
    out.requestBody = {
      content: Object.fromEntries(PATCH_CONTENT_TYPES.map((c) => [c, { schema: patchRef }])),
      required: true,
    };
  }
  const ok = op.method === "post" ? "201" : "200";
  out.responses = {
    [ok]: { description: ok === "201" ? "Created" : "OK", content: { "application/json": { schema: schemaRef } } },
    "401": { description: "Unauthorized" },
  };
  out["x-kubernetes-action"] = op.action;
  out["x-kubernetes-group-version-kind"] = gvk(t, op.kind);
  return out;
}

/** The group versions `/openapi/v3` lists: `api/v1`, `apis/apps/v1`, … */
export function openApiV3GroupVersionPaths(): string[] {
  return [
    ...new Set(RESOURCE_TYPES.map((t) => (t.group === "" ? `api/${t.version}` : `apis/${t.group}/${t.version}`))),
  ];
}

function typesAt(gvPath: string): ResourceType[] {
  return RESOURCE_TYPES.filter(
    (t) => (t.group === "" ? `api/${t.version}` : `apis/${t.group}/${t.version}`) === gvPath,
  );
}

const v3Cache = new Map<string, Record<string, unknown> | undefined>();

/** GET /openapi/v3/<gvPath> (`api/v1`, `apis/apps/v1`); undefined when not served. */
export function openApiV3Document(gvPath: string): Record<string, unknown> | undefined {
  if (!v3Cache.has(gvPath)) v3Cache.set(gvPath, buildV3Document(gvPath));
  return v3Cache.get(gvPath);
}

function buildV3Document(gvPath: string): Record<string, unknown> | undefined {
  const types = typesAt(gvPath);
  if (types.length === 0) return undefined;
  const defs = allDefinitions();
  const paths: Record<string, unknown> = {};
  const roots = new Set<string>([`${META}.Patch`, `${META}.Status`]);
  for (const t of types) {
    roots.add(definitionName(t));
    roots.add(`${definitionName(t)}List`);
    for (const item of pathItems(t)) {
      const entry: Record<string, unknown> = {};
      for (const op of item.operations) entry[op.method] = v3Operation(op, t);
      entry.parameters = item.params.map((p) => ({
        name: p.name,
        in: p.in,
        description: p.description,
        required: p.in === "path" ? true : undefined,
        schema: { type: p.type, uniqueItems: true },
      }));
      paths[item.path] = entry;
    }
  }
  const schemas: Record<string, unknown> = {};
  for (const name of closure(defs, [...roots])) schemas[name] = withRefs(defs[name], "#/components/schemas/");
  return { openapi: "3.0.0", info: INFO, paths, components: { schemas } };
}

const hashes = new WeakMap<object, string>();

/** The hash `/openapi/v3` names a document by (kube-apiserver: SHA-512, upper-case hex). */
export function documentHash(doc: object): string {
  let hash = hashes.get(doc);
  if (hash === undefined) {
    hash = createHash("sha512").update(JSON.stringify(doc)).digest("hex").toUpperCase();
    hashes.set(doc, hash);
  }
  return hash;
}

/** GET /openapi/v3: the discovery index of the per-group-version documents. */
export function openApiV3Index(): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of openApiV3GroupVersionPaths()) {
    paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${documentHash(openApiV3Document(gv) ?? {})}` };
  }
  return { paths };
}

/** GET /openapi/v2: the Swagger 2.0 document of every served kind. */
export function openApiV2Document(): Record<string, unknown> {
  const defs = allDefinitions();
  const paths: Record<string, unknown> = {};
  for (const t of RESOURCE_TYPES) {
    for (const item of pathItems(t)) {
      const entry: Record<string, unknown> = {};
      for (const op of item.operations) {
        const params: Record<string, unknown>[] = op.params.map((p) => ({
          uniqueItems: true,
          type: p.type,
          description: p.description,
          name: p.name,
          in: p.in,
        }));
        if (op.body || op.patch) {
          params.unshift({
            name: "body",
            in: "body",
            required: true,
            schema: { $ref: `#/definitions/${op.body ?? `${META}.Patch`}` },
          });
        }
        const ok = op.method === "post" ? "201" : "200";
        const operation: Record<string, unknown> = {
          description: `${op.action} ${t.kind}`,
          consumes: op.patch ? PATCH_CONTENT_TYPES : ["*/*"],
          produces: ["application/json"],
          schemes: ["https"],
          operationId: op.operationId,
          parameters: params,
          responses: {
            [ok]: { description: ok === "201" ? "Created" : "OK", schema: { $ref: `#/definitions/${op.response}` } },
            "401": { description: "Unauthorized" },
          },
          "x-kubernetes-action": op.action,
          "x-kubernetes-group-version-kind": gvk(t, op.kind),
        };
        entry[op.method] = operation;
      }
      entry.parameters = item.params.map((p) => ({
        uniqueItems: true,
        type: p.type,
        description: p.description,
        name: p.name,
        in: p.in,
        ...(p.in === "path" ? { required: true } : {}),
      }));
      paths[item.path] = entry;
    }
  }
  const definitions: Record<string, unknown> = {};
  for (const name of Object.keys(defs).sort()) definitions[name] = withRefs(defs[name], "#/definitions/");
  return { swagger: "2.0", info: INFO, paths, definitions };
}

// ----- field validation ---------------------------------------------------------------------------

/** What `?fieldValidation=` asks for; kube-apiserver's default is Warn. */
export type FieldValidation = "Ignore" | "Warn" | "Strict";

/** What checking a request body against its kind's schema found. */
export interface FieldProblems {
  /** `spec.template.spec.containers[0].imagee`, in the order met */
  unknown: string[];
  /** the first value of the wrong JSON type, as Go's decoder reports it */
  typeError?: string;
}

function resolve(defs: Record<string, Schema>, schema: Schema): { schema: Schema; struct?: string } {
  const name = schema.$ref;
  if (typeof name !== "string") return { schema };
  const target = defs[name];
  if (!target) throw new Error(`openapi: no definition ${name}`);
  return { schema: target, struct: name.slice(name.lastIndexOf(".") + 1) };
}

function goType(defs: Record<string, Schema>, schema: Schema): string {
  const name = schema.$ref;
  if (typeof name === "string") {
    const target = defs[name] as Schema;
    if (target.format === "date-time") return "v1.Time";
    if (target.format === "int-or-string") return "intstr.IntOrString";
    if (target.format === "quantity") return "resource.Quantity";
    return `v1.${name.slice(name.lastIndexOf(".") + 1)}`;
  }
  switch (schema.type) {
    case "integer":
      return schema.format === "int32" ? "int32" : "int64";
    case "boolean":
      return "bool";
    case "array":
      return `[]${goType(defs, schema.items as Schema)}`;
    case "object":
      return schema.additionalProperties
        ? `map[string]${goType(defs, schema.additionalProperties as Schema)}`
        : "struct";
    default:
      return "string";
  }
}

function jsonTypeOf(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  return typeof v;
}

function fits(schema: Schema, value: unknown): boolean {
  switch (schema.format === "int-or-string" || schema.format === "quantity" ? "int-or-string" : schema.type) {
    case "int-or-string":
      return typeof value === "string" || typeof value === "number";
    case "string":
      return typeof value === "string";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return isJsonObject(value);
    default:
      return true;
  }
}

/**
 * Checks a request body against the schema of its kind. `patch` bodies (merge and strategic merge
 * patches) may also carry the `$patch`, `$setElementOrder/…`, `$retainKeys` and
 * `$deleteFromPrimitiveList/…` directives.
 */
export function checkFields(type: ResourceType, body: unknown, options: { patch?: boolean } = {}): FieldProblems {
  const defs = allDefinitions();
  const problems: FieldProblems = { unknown: [] };
  // `path` names unknown fields as the strict decoder does (with list indices); `goPath` names a
  // type error as Go's encoding/json does (field names only)
  const walk = (schema: Schema, value: unknown, path: string, goPath: string, struct: string): void => {
    if (value === null || value === undefined) return;
    const r = resolve(defs, schema);
    const s = r.schema;
    if (!fits(s, value)) {
      if (problems.typeError === undefined) {
        const got = jsonTypeOf(value);
        problems.typeError = `json: cannot unmarshal ${got} into Go struct field ${struct}.${goPath} of type ${goType(defs, schema)}`;
      }
      return;
    }
    if (Array.isArray(value) && s.items) {
      value.forEach((item, i) => walk(s.items as Schema, item, `${path}[${i}]`, goPath, struct));
      return;
    }
    if (!isJsonObject(value)) return;
    const here = r.struct ?? struct;
    const properties = s.properties as Record<string, Schema> | undefined;
    if (properties) {
      for (const [key, v] of Object.entries(value)) {
        if (options.patch && key.startsWith("$")) continue;
        const child = path === "" ? key : `${path}.${key}`;
        const prop = properties[key];
        if (!prop) problems.unknown.push(child);
        else walk(prop, v, child, goPath === "" ? key : `${goPath}.${key}`, here);
      }
    } else if (s.additionalProperties) {
      for (const [key, v] of Object.entries(value)) {
        walk(s.additionalProperties as Schema, v, `${path}[${key}]`, goPath, here);
      }
    }
  };
  walk(ref(definitionName(type)), body, "", "", type.kind);
  return problems;
}

/** The message of the 400 kube-apiserver answers a body with these problems with, if any. */
export function fieldProblemsMessage(type: ResourceType, problems: FieldProblems, strict: boolean): string | undefined {
  const prefix = `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: `;
  if (problems.typeError) return prefix + problems.typeError;
  if (strict && problems.unknown.length > 0) {
    return `${prefix}strict decoding error: ${problems.unknown.map((f) => `unknown field "${f}"`).join(", ")}`;
  }
  return undefined;
}

/** The `Warning` headers of a Warn-mode request: `299 - "unknown field \"spec.x\""`. */
export function unknownFieldWarnings(problems: FieldProblems): string[] {
  return problems.unknown.map((f) => `299 - ${JSON.stringify(`unknown field "${f}"`)}`);
}
