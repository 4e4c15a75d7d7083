/**
 * The simulated control plane and kubelets behind the in-process API server: a Deployment and
 * ReplicaSet controller (evicted replicas come back on another node), a DaemonSet controller
 * (one pod per Ready node, cordons ignored), a scheduler, and kubelets that start pods after a
 * delay and reboot nodes. Every timer runs on the server's clock; reactions to changes run as
 * microtasks, so they never interleave with a write in progress.
 */
import { createHash } from "node:crypto";
import type { Clock } from "@kured/core";
import { formatTime, type Registry } from "../server/registry.js";
import { findResource, type ResourceType } from "../server/resources.js";
import { cloneJson, isJsonObject, type KubeObject, type StoredObject } from "../server/types.js";
import { makeReplicaSet, podStatus, readyCondition } from "./factories.js";
import { isNodeReady, isSchedulable, matchesNodeSelector } from "./scheduling.js";

/** Options of the simulation. */
export interface SimulatorOptions {
  /** how long a bound pod stays Pending before it runs and is Ready (on the clock); default 0 */
  podStartDelayMs?: number;
}

/** Options of {@link ClusterSimulator.reboot}. */
export interface RebootOptions {
  /** how long the node stays NotReady; default 30 s (on the clock) */
  downFor?: number;
}

const T = {
  pods: findResource("", "v1", "pods") as ResourceType,
  nodes: findResource("", "v1", "nodes") as ResourceType,
  replicasets: findResource("apps", "v1", "replicasets") as ResourceType,
  deployments: findResource("apps", "v1", "deployments") as ResourceType,
  daemonsets: findResource("apps", "v1", "daemonsets") as ResourceType,
};

const DAEMON_TOLERATIONS = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
];

function obj(v: unknown): Record<string, unknown> {
  return isJsonObject(v) ? v : {};
}

function isActive(pod: KubeObject): boolean {
  const phase = obj(pod.status).phase;
  return !pod.metadata?.deletionTimestamp && phase !== "Succeeded" && phase !== "Failed";
}

function controllerOf(o: KubeObject): { kind: string; uid: string } | undefined {
  const ref = o.metadata?.ownerReferences?.find((r) => r.controller);
  return ref ? { kind: ref.kind, uid: ref.uid } : undefined;
}

function templateHash(template: unknown): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  const digest = createHash("sha256").update(JSON.stringify(template)).digest();
  let out = "";
  for (let i = 0; i < 10; i++) out += alphabet[(digest[i] as number) % alphabet.length];
  return out;
}

/** The simulated controllers and kubelets of one in-process cluster. */
export class ClusterSimulator {
  private unsubscribe: (() => void) | undefined;
  private pending = false;
  private readonly starting = new Set<string>();
  private readonly down = new Set<string>();
  private readonly boots = new Map<string, number>();
  private readonly stopping = new AbortController();
  private readonly podStartDelayMs: number;

  constructor(
    private readonly registry: Registry,
    private readonly clock: Clock,
    options: SimulatorOptions = {},
  ) {
    this.podStartDelayMs = options.podStartDelayMs ?? 0;
  }

  /** Starts reacting to changes. */
  start(): void {
    // every change may matter to some controller; kicks coalesce into one pass per microtask
    this.unsubscribe ??= this.registry.store.subscribe(() => this.kick());
    this.kick();
  }

  /** Stops reacting and cancels timers. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.stopping.abort(new Error("simulation stopped"));
  }

  private kick(): void {
    if (this.pending || this.stopping.signal.aborted) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      this.reconcile();
    });
  }

  private now(): string {
    return formatTime(this.clock.now());
  }

  private list(type: ResourceType, namespace?: string): StoredObject[] {
    return this.registry.store.list(type.storage, namespace);
  }

  /** One pass of every controller; idempotent. */
  reconcile(): void {
    if (this.stopping.signal.aborted) return;
    this.reconcileDeployments();
    this.reconcileReplicaSets();
    this.reconcileDaemonSets();
    this.schedule();
    this.runKubelets();
    this.updateWorkloadStatus();
  }

  private nodes(): StoredObject[] {
    return this.list(T.nodes);
  }

  private reconcileDeployments(): void {
    for (const d of this.list(T.deployments)) {
      if (d.metadata.deletionTimestamp) continue;
      const spec = obj(d.spec);
      const hash = templateHash(spec.template);
      const ns = d.metadata.namespace as string;
      const owned = this.list(T.replicasets, ns).filter((rs) => controllerOf(rs)?.uid === d.metadata.uid);
      const current = owned.find((rs) => rs.metadata.labels?.["pod-template-hash"] === hash);
      if (!current) {
        this.registry.create(T.replicasets, ns, makeReplicaSet(d, hash), { internal: true });
      } else if (obj(current.spec).replicas !== spec.replicas) {
        const next = cloneJson(current);
        (next.spec as Record<string, unknown>).replicas = spec.replicas;
        this.registry.update(T.replicasets, ns, next.metadata.name, next);
      }
    }
  }

  private reconcileReplicaSets(): void {
    for (const rs of this.list(T.replicasets)) {
      if (rs.metadata.deletionTimestamp) continue;
      const ns = rs.metadata.namespace as string;
      const desired = Number(obj(rs.spec).replicas ?? 1);
      const pods = this.list(T.pods, ns).filter((p) => controllerOf(p)?.uid === rs.metadata.uid && isActive(p));
      const template = obj(obj(rs.spec).template);
      for (let i = pods.length; i < desired; i++) {
        this.registry.create(
          T.pods,
          ns,
          {
            metadata: {
              generateName: `${rs.metadata.name}-`,
              namespace: ns,
              labels: cloneJson(obj(template.metadata).labels ?? {}),
              ownerReferences: [
                {
                  apiVersion: "apps/v1",
                  kind: "ReplicaSet",
                  name: rs.metadata.name,
                  uid: rs.metadata.uid,
                  controller: true,
                  blockOwnerDeletion: true,
                },
              ],
            },
            spec: cloneJson(template.spec ?? {}),
          },
          { internal: true },
        );
      }
      // surplus pods: the newest go first, as the ReplicaSet controller prefers
      for (const extra of pods.slice(desired).reverse()) {
        this.registry.delete(T.pods, ns, extra.metadata.name, {});
      }
    }
  }

  private reconcileDaemonSets(): void {
    const nodes = this.nodes();
    for (const ds of this.list(T.daemonsets)) {
      if (ds.metadata.deletionTimestamp) continue;
      const ns = ds.metadata.namespace as string;
      const template = obj(obj(ds.spec).template);
      const tspec = obj(template.spec);
      const pods = this.list(T.pods, ns).filter((p) => controllerOf(p)?.uid === ds.metadata.uid);
      for (const node of nodes) {
        const name = node.metadata.name;
        if (!isNodeReady(node) || this.down.has(name) || !matchesNodeSelector(node, tspec.nodeSelector)) continue;
        if (
          !isSchedulable({ ...node, spec: { ...obj(node.spec), unschedulable: false } }, [
            ...(Array.isArray(tspec.tolerations) ? tspec.tolerations : []),
            ...DAEMON_TOLERATIONS,
          ])
        )
          continue;
        if (pods.some((p) => obj(p.spec).nodeName === name && !p.metadata.deletionTimestamp)) continue;
        const spec = cloneJson(tspec);
        spec.nodeName = name;
        spec.tolerations = [...(Array.isArray(spec.tolerations) ? spec.tolerations : []), ...DAEMON_TOLERATIONS];
        this.registry.create(
          T.pods,
          ns,
          {
            metadata: {
              generateName: `${ds.metadata.name}-`,
              namespace: ns,
              labels: cloneJson(obj(template.metadata).labels ?? {}),
              ownerReferences: [
                {
                  apiVersion: "apps/v1",
                  kind: "DaemonSet",
                  name: ds.metadata.name,
                  uid: ds.metadata.uid,
                  controller: true,
                  blockOwnerDeletion: true,
                },
              ],
            },
            spec,
          },
          { internal: true },
        );
      }
    }
  }

  /** Binds unscheduled pods to the schedulable node with the fewest pods. */
  private schedule(): void {
    const nodes = this.nodes();
    const pods = this.list(T.pods);
    const load = new Map<string, number>();
    for (const p of pods) {
      const n = obj(p.spec).nodeName;
      if (typeof n === "string" && isActive(p)) load.set(n, (load.get(n) ?? 0) + 1);
    }
    for (const pod of pods) {
      const spec = obj(pod.spec);
      if (spec.nodeName || !isActive(pod)) continue;
      const candidates = nodes
        .filter(
          (n) =>
            !this.down.has(n.metadata.name) &&
            isSchedulable(n, spec.tolerations) &&
            matchesNodeSelector(n, spec.nodeSelector),
        )
        .sort(
          (a, b) =>
            (load.get(a.metadata.name) ?? 0) - (load.get(b.metadata.name) ?? 0) ||
            (a.metadata.name < b.metadata.name ? -1 : 1),
        );
      const target = candidates[0];
      if (!target) continue;
      this.registry.bindPod(pod.metadata.namespace as string, pod.metadata.name, target.metadata.name);
      load.set(target.metadata.name, (load.get(target.metadata.name) ?? 0) + 1);
    }
  }

  /** Starts bound Pending pods on Ready nodes after the start delay. */
  private runKubelets(): void {
    const ready = new Set(
      this.nodes()
        .filter((n) => isNodeReady(n) && !this.down.has(n.metadata.name))
        .map((n) => n.metadata.name),
    );
    for (const pod of this.list(T.pods)) {
      const spec = obj(pod.spec);
      if (
        obj(pod.status).phase !== "Pending" ||
        !isActive(pod) ||
        typeof spec.nodeName !== "string" ||
        !ready.has(spec.nodeName)
      )
        continue;
      const uid = pod.metadata.uid;
      if (this.starting.has(uid)) continue;
      this.starting.add(uid);
      const ns = pod.metadata.namespace as string;
      const name = pod.metadata.name;
      this.clock.sleep(this.podStartDelayMs, this.stopping.signal).then(
        () => {
          this.starting.delete(uid);
          const current = this.registry.store.get(T.pods.storage, ns, name);
          if (!current || current.metadata.uid !== uid || obj(current.status).phase !== "Pending" || !isActive(current))
            return;
          if (this.down.has(String(obj(current.spec).nodeName))) return;
          const next = cloneJson(current);
          next.status = podStatus("Running", true, this.now());
          this.registry.update(T.pods, ns, name, next, "status");
        },
        () => this.starting.delete(uid),
      );
    }
  }

  /** Starts every bound Pending pod on a Ready node now, skipping the start delay (initial state). */
  startAllPending(): void {
    const ready = new Set(
      this.nodes()
        .filter((n) => isNodeReady(n) && !this.down.has(n.metadata.name))
        .map((n) => n.metadata.name),
    );
    for (const pod of this.list(T.pods)) {
      const spec = obj(pod.spec);
      if (
        obj(pod.status).phase !== "Pending" ||
        !isActive(pod) ||
        typeof spec.nodeName !== "string" ||
        !ready.has(spec.nodeName)
      )
        continue;
      const next = cloneJson(pod);
      next.status = podStatus("Running", true, this.now());
      this.registry.update(T.pods, pod.metadata.namespace, pod.metadata.name, next, "status");
    }
    this.updateWorkloadStatus();
  }

  private updateWorkloadStatus(): void {
    const nodes = this.nodes();
    for (const rs of this.list(T.replicasets)) {
      const pods = this.list(T.pods, rs.metadata.namespace).filter(
        (p) => controllerOf(p)?.uid === rs.metadata.uid && isActive(p),
      );
      const ready = pods.filter((p) => obj(p.status).phase === "Running").length;
      this.writeStatus(T.replicasets, rs, {
        replicas: pods.length,
        fullyLabeledReplicas: pods.length,
        readyReplicas: ready,
        availableReplicas: ready,
        observedGeneration: rs.metadata.generation ?? 1,
      });
    }
    for (const d of this.list(T.deployments)) {
      const sets = this.list(T.replicasets, d.metadata.namespace).filter(
        (rs) => controllerOf(rs)?.uid === d.metadata.uid,
      );
      const sum = (k: string): number => sets.reduce((n, rs) => n + Number(obj(rs.status)[k] ?? 0), 0);
      this.writeStatus(T.deployments, d, {
        observedGeneration: d.metadata.generation ?? 1,
        replicas: sum("replicas"),
        updatedReplicas: sum("replicas"),
        readyReplicas: sum("readyReplicas"),
        availableReplicas: sum("availableReplicas"),
      });
    }
    for (const ds of this.list(T.daemonsets)) {
      const tspec = obj(obj(obj(ds.spec).template).spec);
      const eligible = nodes.filter((n) => matchesNodeSelector(n, tspec.nodeSelector)).length;
      const pods = this.list(T.pods, ds.metadata.namespace).filter(
        (p) => controllerOf(p)?.uid === ds.metadata.uid && isActive(p),
      );
      const ready = pods.filter((p) => obj(p.status).phase === "Running").length;
      this.writeStatus(T.daemonsets, ds, {
        currentNumberScheduled: pods.length,
        desiredNumberScheduled: eligible,
        numberMisscheduled: 0,
        numberReady: ready,
        numberAvailable: ready,
        updatedNumberScheduled: pods.length,
        observedGeneration: ds.metadata.generation ?? 1,
      });
    }
  }

  private writeStatus(type: ResourceType, current: StoredObject, status: Record<string, unknown>): void {
    // conditions are other controllers' to write (serve --busy's, a test's): keep them
    const conditions = obj(current.status).conditions;
    if (conditions !== undefined) status = { ...status, conditions };
    if (jsonSame(current.status, status)) return;
    const next = cloneJson(current);
    next.status = status;
    this.registry.update(type, current.metadata.namespace, current.metadata.name, next, "status");
  }

  // ----- nodes --------------------------------------------------------------------------------

  /** Sets a node's Ready condition as its kubelet would (lastTransitionTime moves on change). */
  setNodeReady(name: string, ready: boolean, bootID?: string): void {
    const node = this.registry.getStored(T.nodes, undefined, name);
    const next = cloneJson(node);
    const status = obj(next.status);
    const now = this.now();
    const conditions = (Array.isArray(status.conditions) ? status.conditions : []).filter(
      (c) => obj(c).type !== "Ready",
    );
    const previous = (Array.isArray(status.conditions) ? status.conditions : []).find((c) => obj(c).type === "Ready");
    const condition = readyCondition(ready, now);
    if (previous && obj(previous).status === condition.status)
      condition.lastTransitionTime = obj(previous).lastTransitionTime;
    status.conditions = [...conditions, condition];
    if (bootID) status.nodeInfo = { ...obj(status.nodeInfo), bootID };
    next.status = status;
    this.registry.update(T.nodes, undefined, name, next, "status");
  }

  /** True while a simulated reboot keeps the node down. */
  isDown(name: string): boolean {
    return this.down.has(name);
  }

  /**
   * Reboots a node: NotReady at once, its pods gone (controllers recreate them elsewhere), then
   * after `downFor` on the clock a new bootID and Ready again (DaemonSet pods come back). Resolves
   * when the node is Ready again.
   */
  async reboot(name: string, options: RebootOptions = {}): Promise<void> {
    this.registry.getStored(T.nodes, undefined, name);
    this.down.add(name);
    this.setNodeReady(name, false);
    for (const pod of this.list(T.pods)) {
      if (obj(pod.spec).nodeName === name)
        this.registry.finishTermination(pod.metadata.namespace as string, pod.metadata.name);
    }
    try {
      await this.clock.sleep(options.downFor ?? 30_000, this.stopping.signal);
    } catch {
      return;
    }
    const boot = (this.boots.get(name) ?? 0) + 1;
    this.boots.set(name, boot);
    this.down.delete(name);
    if (this.registry.store.get(T.nodes.storage, undefined, name))
      this.setNodeReady(name, true, `boot-${name}-${boot}`);
    this.kick();
  }
}

function jsonSame(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
