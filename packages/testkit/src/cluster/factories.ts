/**
 * Factories for the objects tests and simulations need: nodes, pods, deployments (a Deployment,
 * its ReplicaSet and pod template), PodDisruptionBudgets and the kured DaemonSet. They return plain
 * JSON objects, ready for the API server or any client.
 */
import type { KubeObject, OwnerReference } from "../server/types.js";

/** Options of {@link makeNode}. */
export interface NodeOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Ready condition; default true */
  ready?: boolean;
  unschedulable?: boolean;
  taints?: { key: string; value?: string; effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" }[];
  /** status.nodeInfo.bootID; default derived from the name */
  bootID?: string;
  /** default "v1.32.0" */
  kubeletVersion?: string;
  /** RFC 3339 time for the condition timestamps; default the epoch */
  now?: string;
  internalIP?: string;
}

/** A Node as a kubelet registers it. */
export function makeNode(name: string, options: NodeOptions = {}): KubeObject {
  const now = options.now ?? "1970-01-01T00:00:00Z";
  const ready = options.ready ?? true;
  const spec: Record<string, unknown> = {};
  if (options.unschedulable) spec.unschedulable = true;
  if (options.taints && options.taints.length > 0) spec.taints = options.taints;
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "beta.kubernetes.io/arch": "amd64",
        ...(options.labels ?? {}),
      },
      annotations: options.annotations ?? {},
    },
    spec,
    status: {
      conditions: [readyCondition(ready, now)],
      addresses: [
        { type: "InternalIP", address: options.internalIP ?? "10.0.0.1" },
        { type: "Hostname", address: name },
      ],
      nodeInfo: {
        machineID: `machine-${name}`,
        systemUUID: `uuid-${name}`,
        bootID: options.bootID ?? `boot-${name}-0`,
        kernelVersion: "6.1.0-28-amd64",
        osImage: "Debian GNU/Linux 12 (bookworm)",
        containerRuntimeVersion: "containerd://1.7.24",
        kubeletVersion: options.kubeletVersion ?? "v1.32.0",
        kubeProxyVersion: options.kubeletVersion ?? "v1.32.0",
        operatingSystem: "linux",
        architecture: "amd64",
      },
      capacity: { cpu: "4", memory: "16Gi", pods: "110", "ephemeral-storage": "100Gi" },
      allocatable: { cpu: "4", memory: "16Gi", pods: "110", "ephemeral-storage": "100Gi" },
    },
  };
}

/** The Ready condition a kubelet posts. */
export function readyCondition(ready: boolean, now: string): Record<string, unknown> {
  return {
    type: "Ready",
    status: ready ? "True" : "False",
    lastHeartbeatTime: now,
    lastTransitionTime: now,
    reason: ready ? "KubeletReady" : "KubeletNotReady",
    message: ready ? "kubelet is posting ready status" : "node is shutting down",
  };
}

/** Options of {@link makePod}. */
export interface PodOptions {
  name: string;
  namespace?: string;
  nodeName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  /** default "Running" (with Ready True when `ready` is not false) */
  phase?: "Pending" | "Running" | "Succeeded" | "Failed";
  ready?: boolean;
  /** mount an emptyDir volume (drain needs --delete-emptydir-data) */
  emptyDir?: boolean;
  terminationGracePeriodSeconds?: number;
  tolerations?: Record<string, unknown>[];
  image?: string;
  /** RFC 3339 time for status timestamps */
  now?: string;
}

/** A Pod, optionally bound to a node and already running. */
export function makePod(options: PodOptions): KubeObject {
  const phase = options.phase ?? "Running";
  const now = options.now ?? "1970-01-01T00:00:00Z";
  const spec: Record<string, unknown> = {
    containers: [{ name: "main", image: options.image ?? "registry.k8s.io/pause:3.10" }],
    terminationGracePeriodSeconds: options.terminationGracePeriodSeconds ?? 30,
  };
  if (options.nodeName) spec.nodeName = options.nodeName;
  if (options.tolerations) spec.tolerations = options.tolerations;
  if (options.emptyDir) {
    spec.volumes = [{ name: "scratch", emptyDir: {} }];
    (spec.containers as Record<string, unknown>[])[0]!.volumeMounts = [{ name: "scratch", mountPath: "/scratch" }];
  }
  const metadata: Record<string, unknown> = {
    name: options.name,
    namespace: options.namespace ?? "default",
    labels: options.labels ?? {},
  };
  if (options.annotations) metadata.annotations = options.annotations;
  if (options.ownerReferences) metadata.ownerReferences = options.ownerReferences;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata,
    spec,
    status: podStatus(phase, options.ready ?? phase === "Running", now),
  };
}

/** The status a kubelet posts for a pod in `phase`. */
export function podStatus(phase: string, ready: boolean, now: string): Record<string, unknown> {
  const status: Record<string, unknown> = { phase, qosClass: "BestEffort" };
  if (phase === "Pending") return status;
  const r = ready ? "True" : "False";
  status.conditions = [
    { type: "PodReadyToStartContainers", status: "True", lastTransitionTime: now },
    { type: "Initialized", status: "True", lastTransitionTime: now },
    { type: "Ready", status: r, lastTransitionTime: now },
    { type: "ContainersReady", status: r, lastTransitionTime: now },
    { type: "PodScheduled", status: "True", lastTransitionTime: now },
  ];
  status.startTime = now;
  status.podIP = "10.244.0.10";
  status.containerStatuses = [
    {
      name: "main",
      ready,
      restartCount: 0,
      started: phase === "Running",
      image: "registry.k8s.io/pause:3.10",
      imageID: "",
      state:
        phase === "Running"
          ? { running: { startedAt: now } }
          : {
              terminated: {
                exitCode: phase === "Succeeded" ? 0 : 1,
                reason: phase === "Succeeded" ? "Completed" : "Error",
              },
            },
    },
  ];
  return status;
}

/** Options of {@link makeDeployment}. */
export interface DeploymentOptions {
  name: string;
  namespace?: string;
  replicas?: number;
  /** pod labels (and selector); default { app: name } */
  labels?: Record<string, string>;
  terminationGracePeriodSeconds?: number;
  emptyDir?: boolean;
}

/** A Deployment and the pod template its ReplicaSet stamps out. */
export function makeDeployment(options: DeploymentOptions): KubeObject {
  const labels = options.labels ?? { app: options.name };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: options.name, namespace: options.namespace ?? "default", labels },
    spec: {
      replicas: options.replicas ?? 2,
      selector: { matchLabels: labels },
      template: podTemplate(labels, options.terminationGracePeriodSeconds ?? 0, options.emptyDir ?? false),
    },
  };
}

/** The ReplicaSet a Deployment controller would create for `deployment`. */
export function makeReplicaSet(deployment: KubeObject, hash = "5d8f7c9b4"): KubeObject {
  const meta = deployment.metadata ?? {};
  const spec = deployment.spec as Record<string, unknown>;
  const template = structuredClone(spec.template) as { metadata: { labels: Record<string, string> } };
  template.metadata.labels = { ...template.metadata.labels, "pod-template-hash": hash };
  const selector = structuredClone(spec.selector) as { matchLabels: Record<string, string> };
  selector.matchLabels = { ...selector.matchLabels, "pod-template-hash": hash };
  const owner: OwnerReference = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    name: meta.name ?? "",
    uid: meta.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${meta.name}-${hash}`,
      namespace: meta.namespace,
      labels: template.metadata.labels,
      ownerReferences: meta.uid ? [owner] : [],
    },
    spec: { replicas: spec.replicas, selector, template },
  };
}

function podTemplate(labels: Record<string, string>, grace: number, emptyDir: boolean): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    containers: [{ name: "main", image: "registry.k8s.io/pause:3.10" }],
    terminationGracePeriodSeconds: grace,
  };
  if (emptyDir) {
    spec.volumes = [{ name: "scratch", emptyDir: {} }];
    (spec.containers as Record<string, unknown>[])[0]!.volumeMounts = [{ name: "scratch", mountPath: "/scratch" }];
  }
  return { metadata: { labels }, spec };
}

/** Options of {@link makePdb}. */
export interface PdbOptions {
  name: string;
  namespace?: string;
  /** matchLabels of the selector */
  selector: Record<string, string>;
  minAvailable?: number | string;
  maxUnavailable?: number | string;
}

/** A policy/v1 PodDisruptionBudget. */
export function makePdb(options: PdbOptions): KubeObject {
  const spec: Record<string, unknown> = { selector: { matchLabels: options.selector } };
  if (options.minAvailable !== undefined) spec.minAvailable = options.minAvailable;
  if (options.maxUnavailable !== undefined) spec.maxUnavailable = options.maxUnavailable;
  if (options.minAvailable === undefined && options.maxUnavailable === undefined) spec.minAvailable = 1;
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: options.name, namespace: options.namespace ?? "default" },
    spec,
  };
}

/** Options of {@link makeKuredDaemonSet}. */
export interface KuredDaemonSetOptions {
  name?: string;
  namespace?: string;
  annotations?: Record<string, string>;
  image?: string;
}

/** The kured DaemonSet (the default lock lives in its annotations). */
export function makeKuredDaemonSet(options: KuredDaemonSetOptions = {}): KubeObject {
  const name = options.name ?? "kured";
  const labels = { name };
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name, namespace: options.namespace ?? "kube-system", annotations: options.annotations ?? {}, labels },
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: "RollingUpdate" },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: "kured",
          tolerations: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }],
          hostPID: true,
          restartPolicy: "Always",
          terminationGracePeriodSeconds: 0,
          containers: [
            { name: "kured", image: options.image ?? "ghcr.io/kubereboot/kured:1.23.0", command: ["/usr/bin/kured"] },
          ],
        },
      },
    },
  };
}
