/**
 * `startCluster()`: a whole test cluster — the in-process API server, simulated nodes, kubelets
 * and controllers — or, when KURED_E2E_KUBECONFIG is set, a handle on that real cluster with the
 * same helpers (see remote-cluster.ts). Tests talk to either only through `kubeConfig`.
 */
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  EventsV1Api,
  PolicyV1Api,
  type CoreV1Event,
  type KubeConfig,
} from "@kubernetes/client-node";
import { systemClock, type Clock } from "@kured/core";
import { startApiServer, type ApiServer } from "../server/api-server.js";
import { formatTime } from "../server/registry.js";
import { findResource, type ResourceType } from "../server/resources.js";
import type { KubeObject } from "../server/types.js";
import { type ClusterCapabilities, IN_PROCESS_CAPABILITIES } from "./capabilities.js";
import {
  makeDeployment,
  makeKuredDaemonSet,
  makeNode,
  makePdb,
  makePod,
  type DeploymentOptions,
  type KuredDaemonSetOptions,
  type NodeOptions,
  type PdbOptions,
  type PodOptions,
} from "./factories.js";
import { startRemoteCluster } from "./remote-cluster.js";
import { ClusterSimulator, type RebootOptions } from "./simulator.js";

/** Options of {@link startCluster}. */
export interface StartClusterOptions {
  /** how many nodes (named node-1…node-N), or their names; default 3 */
  nodes?: number | string[];
  /** the clock of the server, kubelets and controllers; default the system clock */
  clock?: Clock;
  /** enforce RBAC (true), optionally loading Roles and bindings from YAML or objects */
  rbac?: boolean | { manifests: string | KubeObject[] };
  /** create the kured DaemonSet in kube-system; default true */
  kured?: boolean | KuredDaemonSetOptions;
  /** how long a new pod is Pending before it runs (on the clock); default 0 */
  podStartDelayMs?: number;
  /** options for every node */
  node?: NodeOptions;
  /** seed for generated names and faults; default 1 */
  seed?: number;
  /** ignore KURED_E2E_KUBECONFIG and always run in-process */
  inProcess?: boolean;
  /** port of the in-process server on 127.0.0.1; default a free port */
  port?: number;
}

/** Typed clients for the API groups kured uses, made from the cluster's KubeConfig. */
export interface ClusterApis {
  core: CoreV1Api;
  apps: AppsV1Api;
  coordination: CoordinationV1Api;
  policy: PolicyV1Api;
  events: EventsV1Api;
}

/** Options of {@link Cluster.createDeployment}. */
export interface ClusterDeploymentOptions extends DeploymentOptions {
  /** also create a PodDisruptionBudget selecting its pods */
  pdb?: { minAvailable?: number | string; maxUnavailable?: number | string; name?: string };
}

/** A running test cluster. */
export interface Cluster {
  /** the API server URL */
  readonly url: string;
  /** admin credentials */
  readonly kubeConfig: KubeConfig;
  /** the in-process server (undefined against a real cluster) */
  readonly server: ApiServer | undefined;
  /** the simulated kubelets and controllers (undefined against a real cluster) */
  readonly simulator: ClusterSimulator | undefined;
  /** what this cluster can do; tests skip with `capabilities.missing(...)` */
  readonly capabilities: ClusterCapabilities;
  readonly clock: Clock;
  /** the names of the simulated nodes (on a real cluster with the run's prefix: use these, not the names asked for) */
  readonly nodeNames: string[];
  /**
   * The actual name of the simulated node asked for as `name` in `nodes` (on a real cluster
   * `<prefix>-<name>`, so a run never touches the cluster's own nodes; in-process `name` itself).
   */
  nodeName(name: string): string;
  /**
   * The Events about one object, from every namespace, oldest first. Where an Event about a
   * cluster-scoped object (a Node) lands depends on its writer (client-go's recorder uses
   * `default`), so tests should ask this rather than list one namespace.
   */
  eventsAbout(kind: string, name: string): Promise<CoreV1Event[]>;
  /** Registers a clean-up step that `close()` runs (in reverse order), e.g. deleting an object a test created. */
  onClose(what: string, run: () => Promise<unknown>): void;
  /** a namespace for test objects ("default" in-process, a fresh one on a real cluster) */
  readonly namespace: string;
  /** typed admin clients */
  readonly apis: ClusterApis;
  /** adds a node (Ready unless told otherwise) */
  addNode(name: string, options?: NodeOptions): Promise<KubeObject>;
  /** creates a pod bound to `nodeName`, Running and Ready unless told otherwise */
  createPod(options: PodOptions): Promise<KubeObject>;
  /** creates a Deployment whose pods run on the nodes (and its budget); returns its pods */
  createDeployment(options: ClusterDeploymentOptions): Promise<{ deployment: KubeObject; pods: KubeObject[] }>;
  createPdb(options: PdbOptions): Promise<KubeObject>;
  /** creates the kured DaemonSet (kube-system/kured by default) */
  createKuredDaemonSet(options?: KuredDaemonSetOptions): Promise<KubeObject>;
  /** simulated reboot (in-process only); resolves when the node is Ready again */
  reboot(node: string, options?: RebootOptions): Promise<void>;
  /** sets a node's Ready condition */
  setNodeReady(node: string, ready: boolean): Promise<void>;
  /** a KubeConfig authenticating as a ServiceAccount (in-process: a token the server maps to it) */
  serviceAccountKubeConfig(namespace: string, name: string): KubeConfig;
  /** lets the simulated controllers finish reacting (in-process; no-op on a real cluster) */
  settle(): Promise<void>;
  /** stops everything and removes what it created */
  close(): Promise<void>;
}

/** The Events about one object, from every namespace, oldest first (see {@link Cluster.eventsAbout}). */
export async function listEventsAbout(apis: ClusterApis, kind: string, name: string): Promise<CoreV1Event[]> {
  const list = await apis.core.listEventForAllNamespaces({
    fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}`,
  });
  const at = (e: CoreV1Event): number =>
    (e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp)?.valueOf() ?? 0;
  return list.items.sort((a, b) => at(a) - at(b));
}

/** Makes the typed clients of a KubeConfig. */
export function makeApis(kc: KubeConfig): ClusterApis {
  return {
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    coordination: kc.makeApiClient(CoordinationV1Api),
    policy: kc.makeApiClient(PolicyV1Api),
    events: kc.makeApiClient(EventsV1Api),
  };
}

function nodeNamesOf(nodes: number | string[] | undefined): string[] {
  if (Array.isArray(nodes)) return nodes;
  return Array.from({ length: nodes ?? 3 }, (_, i) => `node-${i + 1}`);
}

const T = {
  nodes: findResource("", "v1", "nodes") as ResourceType,
  pods: findResource("", "v1", "pods") as ResourceType,
  leases: findResource("coordination.k8s.io", "v1", "leases") as ResourceType,
  deployments: findResource("apps", "v1", "deployments") as ResourceType,
  daemonsets: findResource("apps", "v1", "daemonsets") as ResourceType,
  pdbs: findResource("policy", "v1", "poddisruptionbudgets") as ResourceType,
};

/** Lets queued microtasks and immediate callbacks (the controllers' reactions) run. */
async function drainMicrotasks(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

class InProcessCluster implements Cluster {
  readonly capabilities = IN_PROCESS_CAPABILITIES;
  readonly namespace = "default";
  readonly kubeConfig: KubeConfig;
  readonly apis: ClusterApis;
  readonly nodeNames: string[] = [];
  private readonly cleanups: { what: string; run: () => Promise<unknown> }[] = [];

  constructor(
    readonly server: ApiServer,
    readonly simulator: ClusterSimulator,
    readonly clock: Clock,
    private readonly nodeDefaults: NodeOptions,
  ) {
    this.kubeConfig = server.toKubeConfig();
    this.apis = makeApis(this.kubeConfig);
  }

  get url(): string {
    return this.server.url;
  }

  private get registry() {
    return this.server.registry;
  }

  nodeName(name: string): string {
    return name;
  }

  eventsAbout(kind: string, name: string): Promise<CoreV1Event[]> {
    return listEventsAbout(this.apis, kind, name);
  }

  onClose(what: string, run: () => Promise<unknown>): void {
    this.cleanups.push({ what, run });
  }

  async addNode(name: string, options: NodeOptions = {}): Promise<KubeObject> {
    const now = formatTime(this.clock.now());
    const node = this.registry.create(T.nodes, undefined, makeNode(name, { now, ...this.nodeDefaults, ...options }), {
      internal: true,
    });
    // the node's heartbeat Lease, which `kubectl describe node` shows
    const micro = this.clock.now().toISOString().replace(/Z$/, "000Z");
    this.registry.create(
      T.leases,
      "kube-node-lease",
      {
        metadata: { name, ownerReferences: [{ apiVersion: "v1", kind: "Node", name, uid: node.metadata?.uid ?? "" }] },
        spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: micro },
      },
      { internal: true },
    );
    this.nodeNames.push(name);
    await this.settle();
    return node;
  }

  async createPod(options: PodOptions): Promise<KubeObject> {
    const pod = this.registry.create(
      T.pods,
      options.namespace ?? this.namespace,
      makePod({ now: formatTime(this.clock.now()), ...options }),
      { internal: true },
    );
    await this.settle();
    return pod;
  }

  async createDeployment(options: ClusterDeploymentOptions): Promise<{ deployment: KubeObject; pods: KubeObject[] }> {
    const ns = options.namespace ?? this.namespace;
    const deployment = this.registry.create(T.deployments, ns, makeDeployment({ ...options, namespace: ns }), {
      internal: true,
    });
    if (options.pdb) {
      await this.createPdb({
        name: options.pdb.name ?? options.name,
        namespace: ns,
        selector: options.labels ?? { app: options.name },
        minAvailable: options.pdb.minAvailable,
        maxUnavailable: options.pdb.maxUnavailable,
      });
    }
    this.simulator.reconcile();
    this.simulator.startAllPending();
    await this.settle();
    const uid = deployment.metadata?.uid;
    const sets = this.registry.store
      .list("apps/replicasets", ns)
      .filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === uid));
    const pods = this.registry.store
      .list(T.pods.storage, ns)
      .filter((p) => p.metadata.ownerReferences?.some((r) => sets.some((rs) => rs.metadata.uid === r.uid)));
    return {
      deployment: this.registry.get(T.deployments, ns, options.name),
      pods: pods.map((p) => this.registry.present(T.pods, p)),
    };
  }

  async createPdb(options: PdbOptions): Promise<KubeObject> {
    const pdb = this.registry.create(T.pdbs, options.namespace ?? this.namespace, makePdb(options), { internal: true });
    return this.registry.get(T.pdbs, options.namespace ?? this.namespace, pdb.metadata?.name as string);
  }

  async createKuredDaemonSet(options: KuredDaemonSetOptions = {}): Promise<KubeObject> {
    const ds = this.registry.create(T.daemonsets, options.namespace ?? "kube-system", makeKuredDaemonSet(options), {
      internal: true,
    });
    this.simulator.reconcile();
    this.simulator.startAllPending();
    await this.settle();
    return this.registry.get(T.daemonsets, ds.metadata?.namespace, ds.metadata?.name as string);
  }

  async reboot(node: string, options: RebootOptions = {}): Promise<void> {
    await this.simulator.reboot(node, options);
    await this.settle();
  }

  async setNodeReady(node: string, ready: boolean): Promise<void> {
    this.simulator.setNodeReady(node, ready);
    await this.settle();
  }

  serviceAccountKubeConfig(namespace: string, name: string): KubeConfig {
    return this.server.toKubeConfig({ token: this.server.serviceAccountToken(namespace, name) });
  }

  async settle(): Promise<void> {
    await drainMicrotasks();
  }

  async close(): Promise<void> {
    for (const step of this.cleanups.reverse()) await step.run().catch(() => undefined);
    this.cleanups.length = 0;
    this.simulator.stop();
    await this.server.close();
  }
}

/**
 * Starts a cluster: in-process (API server on a free loopback port, simulated nodes, kubelets and
 * controllers), or — when KURED_E2E_KUBECONFIG is set — the real cluster it names, with the
 * simulated nodes created as plain Node objects and removed again by `close()`.
 */
export async function startCluster(options: StartClusterOptions = {}): Promise<Cluster> {
  const remote = process.env.KURED_E2E_KUBECONFIG;
  if (remote && !options.inProcess) return startRemoteCluster(remote, options);
  const clock = options.clock ?? systemClock;
  const rbac = options.rbac ?? false;
  const server = await startApiServer({
    clock,
    rbac: rbac !== false,
    rbacManifests: typeof rbac === "object" ? rbac.manifests : undefined,
    seed: options.seed,
    port: options.port,
  });
  const simulator = new ClusterSimulator(server.registry, clock, { podStartDelayMs: options.podStartDelayMs });
  const cluster = new InProcessCluster(server, simulator, clock, options.node ?? {});
  try {
    for (const name of nodeNamesOf(options.nodes)) await cluster.addNode(name);
    if (options.kured !== false)
      await cluster.createKuredDaemonSet(typeof options.kured === "object" ? options.kured : {});
  } catch (e) {
    await cluster.close();
    throw e;
  }
  simulator.start();
  await cluster.settle();
  return cluster;
}
