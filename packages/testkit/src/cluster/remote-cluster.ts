/**
 * Cluster-agnostic mode: the helpers of {@link Cluster} against the real cluster named by
 * KURED_E2E_KUBECONFIG. Simulated nodes are plain Node objects with a unique name prefix, pods are
 * bound with `spec.nodeName` and marked Running through the status subresource (no kubelet runs
 * them), and `close()` deletes everything it created — also when the set-up itself failed.
 *
 * Other controllers write the same objects (the node lifecycle controller, the DaemonSet
 * controller, admission plugins adding labels), so every write here is a patch, never a replace
 * of a copy read earlier, and a conflict is retried on a fresh read.
 */
import { randomBytes } from "node:crypto";
import {
  ApiException,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  type ConfigurationOptions,
  type CoreV1Event,
} from "@kubernetes/client-node";
import { systemClock, type Clock } from "@kured/core";
import type { KubeObject } from "../server/types.js";
import { REMOTE_CAPABILITIES } from "./capabilities.js";
import {
  makeKuredDaemonSet,
  makeNode,
  makePdb,
  makePod,
  readyCondition,
  type KuredDaemonSetOptions,
  type NodeOptions,
  type PdbOptions,
  type PodOptions,
} from "./factories.js";
import type { RebootOptions } from "./simulator.js";
import {
  listEventsAbout,
  makeApis,
  type Cluster,
  type ClusterApis,
  type ClusterDeploymentOptions,
  type StartClusterOptions,
} from "./start-cluster.js";

// The generated clients type bodies as classes; the plain JSON objects we build are structurally fine.
type Body = never;

const strategic: ConfigurationOptions = setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch);
const merge: ConfigurationOptions = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** How often the simulated nodes' heartbeats are renewed (a kubelet's default is 10 s). */
const HEARTBEAT_MS = 10_000;
/** The namespace of the nodes' heartbeat Leases, which the node lifecycle controller reads. */
const NODE_LEASE_NAMESPACE = "kube-node-lease";

function rfc3339(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function isStatus(e: unknown, ...codes: number[]): boolean {
  return e instanceof ApiException && codes.includes(e.code);
}

/** Runs `write`, retrying a few times on 409 Conflict (another writer got there first). */
async function retryOnConflict<T>(write: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await write();
    } catch (e) {
      if (!isStatus(e, 409) || i >= attempts) throw e;
    }
  }
}

class RemoteCluster implements Cluster {
  readonly capabilities = REMOTE_CAPABILITIES;
  readonly server = undefined;
  readonly simulator = undefined;
  readonly clock: Clock = systemClock;
  readonly apis: ClusterApis;
  readonly nodeNames: string[] = [];
  /** undo steps for everything created, run in reverse order by close() */
  private readonly cleanups: { what: string; run: () => Promise<unknown> }[] = [];
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(
    readonly kubeConfig: KubeConfig,
    readonly namespace: string,
    readonly prefix: string,
  ) {
    this.apis = makeApis(kubeConfig);
    // keep the simulated nodes' Leases fresh, or the node lifecycle controller marks them Unknown
    this.heartbeat = setInterval(() => void this.renewLeases(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get url(): string {
    return this.kubeConfig.getCurrentCluster()?.server ?? "";
  }

  nodeName(name: string): string {
    return name.startsWith(`${this.prefix}-`) ? name : `${this.prefix}-${name}`;
  }

  eventsAbout(kind: string, name: string): Promise<CoreV1Event[]> {
    return listEventsAbout(this.apis, kind, name);
  }

  /** Remembers how to delete something just created. */
  onClose(what: string, run: () => Promise<unknown>): void {
    this.cleanups.push({ what, run });
  }

  async addNode(name: string, options: NodeOptions = {}): Promise<KubeObject> {
    const node = makeNode(name, { now: rfc3339(), ...options });
    const created = await this.apis.core.createNode({ body: node as Body });
    this.nodeNames.push(name);
    this.onClose(`node ${name}`, () => this.apis.core.deleteNode({ name }));
    // A kubelet posts its status after registering; some servers drop a status sent on create.
    const written = await this.apis.core.patchNodeStatus({ name, body: { status: node.status } as Body }, strategic);
    await this.createNodeLease(name, created.metadata?.uid ?? "");
    return written as unknown as KubeObject;
  }

  private async createNodeLease(name: string, uid: string): Promise<void> {
    const body = {
      metadata: { name, ownerReferences: [{ apiVersion: "v1", kind: "Node", name, uid }] },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new V1MicroTime() },
    };
    try {
      await this.apis.coordination.createNamespacedLease({ namespace: NODE_LEASE_NAMESPACE, body: body as Body });
    } catch (e) {
      // no kube-node-lease namespace, or no right to write there: the Node is still usable
      if (!isStatus(e, 403, 404, 409)) throw e;
      return;
    }
    this.onClose(`lease ${NODE_LEASE_NAMESPACE}/${name}`, () =>
      this.apis.coordination.deleteNamespacedLease({ name, namespace: NODE_LEASE_NAMESPACE }),
    );
  }

  private async renewLeases(): Promise<void> {
    for (const name of [...this.nodeNames]) {
      if (this.closed) return;
      await this.apis.coordination
        .patchNamespacedLease(
          { name, namespace: NODE_LEASE_NAMESPACE, body: { spec: { renewTime: new V1MicroTime() } } as Body },
          merge,
        )
        .catch(() => undefined);
    }
  }

  async createPod(options: PodOptions): Promise<KubeObject> {
    const namespace = options.namespace ?? this.namespace;
    const pod = makePod({ ...options, namespace, now: rfc3339() });
    await this.apis.core.createNamespacedPod({ namespace, body: pod as Body });
    // pods bound to a node without a kubelet never finish a graceful deletion: delete them at once
    this.onClose(`pod ${namespace}/${options.name}`, () =>
      this.apis.core.deleteNamespacedPod({ name: options.name, namespace, gracePeriodSeconds: 0 }),
    );
    return (await this.apis.core.patchNamespacedPodStatus(
      { name: options.name, namespace, body: { status: pod.status } as Body },
      strategic,
    )) as unknown as KubeObject;
  }

  async createDeployment(options: ClusterDeploymentOptions): Promise<{ deployment: KubeObject; pods: KubeObject[] }> {
    // No controller would run a Deployment's pods on plain Node objects: create its pods directly,
    // spread over the simulated nodes, without owner references (the garbage collector would
    // delete pods owned by objects that do not exist).
    const namespace = options.namespace ?? this.namespace;
    const labels = options.labels ?? { app: options.name };
    if (options.pdb) {
      await this.createPdb({
        name: options.pdb.name ?? options.name,
        namespace,
        selector: labels,
        minAvailable: options.pdb.minAvailable,
        maxUnavailable: options.pdb.maxUnavailable,
      });
    }
    const pods: KubeObject[] = [];
    const replicas = options.replicas ?? 2;
    for (let i = 0; i < replicas; i++) {
      const nodeName = this.nodeNames[i % Math.max(1, this.nodeNames.length)];
      pods.push(
        await this.createPod({
          name: `${options.name}-${i}`,
          namespace,
          labels,
          nodeName,
          terminationGracePeriodSeconds: options.terminationGracePeriodSeconds ?? 0,
          emptyDir: options.emptyDir,
        }),
      );
    }
    return {
      deployment: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: options.name, namespace } },
      pods,
    };
  }

  async createPdb(options: PdbOptions): Promise<KubeObject> {
    const namespace = options.namespace ?? this.namespace;
    const created = await this.apis.policy.createNamespacedPodDisruptionBudget({
      namespace,
      body: makePdb({ ...options, namespace }) as Body,
    });
    this.onClose(`pdb ${namespace}/${options.name}`, () =>
      this.apis.policy.deleteNamespacedPodDisruptionBudget({ name: options.name, namespace }),
    );
    return created as unknown as KubeObject;
  }

  async createKuredDaemonSet(options: KuredDaemonSetOptions = {}): Promise<KubeObject> {
    const namespace = options.namespace ?? this.namespace;
    const name = options.name ?? "kured";
    const ds = makeKuredDaemonSet({ ...options, namespace, name });
    // select no real node: the DaemonSet object carries the lock; it must not schedule pods
    (ds.spec as { template: { spec: Record<string, unknown> } }).template.spec.nodeSelector = {
      "kured.dev/e2e-no-such-node": this.prefix,
    };
    const created = await this.apis.apps.createNamespacedDaemonSet({ namespace, body: ds as Body });
    this.onClose(`daemonset ${namespace}/${name}`, () => this.apis.apps.deleteNamespacedDaemonSet({ name, namespace }));
    return created as unknown as KubeObject;
  }

  async reboot(_node: string, _options?: RebootOptions): Promise<void> {
    throw new Error(REMOTE_CAPABILITIES.missing("reboot"));
  }

  async setNodeReady(node: string, ready: boolean): Promise<void> {
    // status.conditions merge by type under a strategic merge patch: only Ready changes
    await retryOnConflict(() =>
      this.apis.core.patchNodeStatus(
        { name: node, body: { status: { conditions: [readyCondition(ready, rfc3339())] } } as Body },
        strategic,
      ),
    );
  }

  serviceAccountKubeConfig(_namespace: string, _name: string): KubeConfig {
    throw new Error(REMOTE_CAPABILITIES.missing("rbacTokens"));
  }

  async settle(): Promise<void> {
    // nothing simulated to wait for
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    const failures: string[] = [];
    for (const step of this.cleanups.reverse()) {
      try {
        await step.run();
      } catch (e) {
        if (!isStatus(e, 404)) failures.push(`${step.what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (failures.length > 0) {
      process.stderr.write(`kured e2e: could not remove what the test created:\n  ${failures.join("\n  ")}\n`);
    }
  }
}

/** Connects to the real cluster of `kubeconfigPath` and creates the simulated nodes there. */
export async function startRemoteCluster(kubeconfigPath: string, options: StartClusterOptions): Promise<Cluster> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const prefix = `kured-e2e-${randomBytes(3).toString("hex")}`;
  const namespace = prefix;
  const cluster = new RemoteCluster(kc, namespace, prefix);
  const names = Array.isArray(options.nodes)
    ? options.nodes
    : Array.from({ length: options.nodes ?? 3 }, (_, i) => `node-${i + 1}`);
  try {
    await cluster.apis.core.createNamespace({ body: { metadata: { name: namespace } } });
    cluster.onClose(`namespace ${namespace}`, async () => {
      // force-delete the pods first: without a kubelet their graceful deletion never ends
      await cluster.apis.core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 }).catch(() => {});
      await cluster.apis.core.deleteNamespace({ name: namespace });
    });
    for (const name of names) await cluster.addNode(cluster.nodeName(name), options.node);
    if (options.kured !== false)
      await cluster.createKuredDaemonSet(typeof options.kured === "object" ? options.kured : {});
  } catch (e) {
    await cluster.close();
    throw e;
  }
  return cluster;
}
