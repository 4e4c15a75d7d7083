export { startApiServer, ApiServer, type ApiServerOptions, type KubeConfigOptions } from "./server/api-server.js";
export { ApiError, type StatusBody, type StatusCause, type StatusDetails } from "./server/status.js";
export type { KubeObject, KubeObjectMeta, OwnerReference, StoredObject, UserInfo, JsonValue } from "./server/types.js";
export { Registry, type DeleteOptions, type ListOptions, type ListResult, type PatchType } from "./server/registry.js";
export { ObjectStore, type StoreEvent } from "./server/object-store.js";
export { RESOURCE_TYPES, findResource, findResourceByKind, type ResourceType } from "./server/resources.js";
export { FaultInjector, type FaultRule, type ActiveFault, type RequestAttributes } from "./server/faults.js";
export { seededRandom } from "./server/random.js";
export { AuditLog, type AuditEntry, type AuditFilter } from "./server/audit-log.js";
export { RbacAuthorizer, parseManifests, type AuthorizationRequest } from "./server/rbac.js";
export { applyJsonPatch, PatchError } from "./server/json-patch.js";
export { applyMergePatch } from "./server/merge-patch.js";
export { applyStrategicMergePatch } from "./server/strategic-merge-patch.js";
export {
  startCluster,
  makeApis,
  type Cluster,
  type ClusterApis,
  type ClusterDeploymentOptions,
  type StartClusterOptions,
} from "./cluster/start-cluster.js";
export { ClusterSimulator, type RebootOptions, type SimulatorOptions } from "./cluster/simulator.js";
export {
  IN_PROCESS_CAPABILITIES,
  REMOTE_CAPABILITIES,
  skipReasonForRealCluster,
  type Capability,
  type ClusterCapabilities,
} from "./cluster/capabilities.js";
export {
  makeNode,
  makePod,
  makeDeployment,
  makeReplicaSet,
  makePdb,
  makeKuredDaemonSet,
  podStatus,
  readyCondition,
  type NodeOptions,
  type PodOptions,
  type DeploymentOptions,
  type PdbOptions,
  type KuredDaemonSetOptions,
} from "./cluster/factories.js";
/** The virtual clock: deterministic timers, settling between them, runUntil, auto mode. */
export * from "./clock/index.js";
/** The notification sink (a recording loopback HTTP server) and the in-memory event collector. */
export * from "./sink/index.js";
/** Contract test suites for detectors, blockers, notifiers and lock backends; the in-memory reference lock. */
/** The reference in-memory lock (the contract suites themselves are in "@kured/testkit/contracts", which needs vitest). */
export { MemoryLock, type MemoryLockOptions } from "./contracts/memory-lock-backend.js";
