/**
 * Cluster-agnostic mode: the helpers of {@link Cluster} against the real cluster named by
 * KURED_E2E_KUBECONFIG. Simulated nodes are plain Node objects with a unique name prefix, pods are
 * bound with `spec.nodeName` and marked Running through the status subresource (no kubelet runs
 * them), and `close()` deletes everything it created.
 */
import { randomBytes } from "node:crypto";
import { KubeConfig } from "@kubernetes/client-node";
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
  makeApis,
  type Cluster,
  type ClusterApis,
  type ClusterDeploymentOptions,
  type StartClusterOptions,
} from "./start-cluster.js";

// The generated clients type bodies as classes; the plain JSON objects we build are structurally fine.
type Body = never;

class RemoteCluster implements Cluster {
  readonly capabilities = REMOTE_CAPABILITIES;
  readonly server = undefined;
  readonly simulator = undefined;
  readonly clock: Clock = systemClock;
  readonly apis: ClusterApis;
  readonly nodeNames: string[] = [];
  private readonly createdDaemonSets: { namespace: string; name: string }[] = [];

  constructor(
    readonly kubeConfig: KubeConfig,
    readonly namespace: string,
    private readonly prefix: string,
  ) {
    this.apis = makeApis(kubeConfig);
  }

  get url(): string {
    return this.kubeConfig.getCurrentCluster()?.server ?? "";
  }

  nodeName(name: string): string {
    return `${this.prefix}-${name}`;
  }

  async addNode(name: string, options: NodeOptions = {}): Promise<KubeObject> {
    const node = makeNode(name, { now: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"), ...options });
    await this.apis.core.createNode({ body: node as Body });
    const read = await this.apis.core.readNode({ name });
    // a Node created through the API has no status until someone writes it (there is no kubelet)
    const withStatus = { ...read, status: node.status } as Body;
    const written = await this.apis.core.replaceNodeStatus({ name, body: withStatus });
    this.nodeNames.push(name);
    return written as unknown as KubeObject;
  }

  async createPod(options: PodOptions): Promise<KubeObject> {
    const namespace = options.namespace ?? this.namespace;
    const pod = makePod({ ...options, namespace, now: new Date().toISOString().replace(/\.\d{3}Z$/, "Z") });
    const created = await this.apis.core.createNamespacedPod({ namespace, body: pod as Body });
    const status = pod.status;
    const body = { ...created, status } as Body;
    return (await this.apis.core.replaceNamespacedPodStatus({
      name: options.name,
      namespace,
      body,
    })) as unknown as KubeObject;
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
    return (await this.apis.policy.createNamespacedPodDisruptionBudget({
      namespace,
      body: makePdb({ ...options, namespace }) as Body,
    })) as unknown as KubeObject;
  }

  async createKuredDaemonSet(options: KuredDaemonSetOptions = {}): Promise<KubeObject> {
    const namespace = options.namespace ?? this.namespace;
    const name = options.name ?? "kured";
    const ds = makeKuredDaemonSet({ ...options, namespace, name });
    // select no real node: the DaemonSet object carries the lock; it must not schedule pods
    (ds.spec as { template: { spec: Record<string, unknown> } }).template.spec.nodeSelector = {
      "kured.dev/e2e-no-such-node": this.prefix,
    };
    const created = await this.apps().createNamespacedDaemonSet({ namespace, body: ds as Body });
    this.createdDaemonSets.push({ namespace, name });
    return created as unknown as KubeObject;
  }

  private apps() {
    return this.apis.apps;
  }

  async reboot(_node: string, _options?: RebootOptions): Promise<void> {
    throw new Error(REMOTE_CAPABILITIES.missing("reboot"));
  }

  async setNodeReady(node: string, ready: boolean): Promise<void> {
    const read = await this.apis.core.readNodeStatus({ name: node });
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    const conditions = (read.status?.conditions ?? []).filter((c) => c.type !== "Ready");
    const body = {
      ...read,
      status: { ...read.status, conditions: [...conditions, readyCondition(ready, now)] },
    } as Body;
    await this.apis.core.replaceNodeStatus({ name: node, body });
  }

  serviceAccountKubeConfig(_namespace: string, _name: string): KubeConfig {
    throw new Error(REMOTE_CAPABILITIES.missing("rbacTokens"));
  }

  async settle(): Promise<void> {
    // nothing simulated to wait for
  }

  async close(): Promise<void> {
    const ignore = (): undefined => undefined;
    for (const ds of this.createdDaemonSets) await this.apps().deleteNamespacedDaemonSet(ds).catch(ignore);
    if (this.namespace.startsWith(this.prefix))
      await this.apis.core.deleteNamespace({ name: this.namespace }).catch(ignore);
    for (const name of this.nodeNames) await this.apis.core.deleteNode({ name }).catch(ignore);
  }
}

/** Connects to the real cluster of `kubeconfigPath` and creates the simulated nodes there. */
export async function startRemoteCluster(kubeconfigPath: string, options: StartClusterOptions): Promise<Cluster> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const prefix = `kured-e2e-${randomBytes(3).toString("hex")}`;
  const namespace = prefix;
  const apis = makeApis(kc);
  await apis.core.createNamespace({ body: { metadata: { name: namespace } } });
  const cluster = new RemoteCluster(kc, namespace, prefix);
  const names = Array.isArray(options.nodes)
    ? options.nodes
    : Array.from({ length: options.nodes ?? 3 }, (_, i) => `node-${i + 1}`);
  try {
    for (const name of names) await cluster.addNode(cluster.nodeName(name), options.node);
    if (options.kured !== false)
      await cluster.createKuredDaemonSet(typeof options.kured === "object" ? options.kured : {});
  } catch (e) {
    await cluster.close();
    throw e;
  }
  return cluster;
}
