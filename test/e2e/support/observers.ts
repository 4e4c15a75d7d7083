/**
 * What the e2e tests see of the cluster, through the API like any client (a watch per
 * collection), so the checks hold against any server: every stored version of the reboot lock,
 * and every change of the nodes' `spec.unschedulable`, in the order the server made them.
 */
import { Watch, type KubeConfig } from "@kubernetes/client-node";
import { isLockHolderExpired, parseLockAnnotation } from "@kured/core";

interface WatchedObject {
  metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: { unschedulable?: boolean };
}

/** A watch that resumes where it stopped, and counts the times it could not (410 Gone: versions missed). */
class FollowedCollection {
  /** how many times the watch had to start over, possibly missing versions */
  gaps = 0;
  private controller: AbortController | undefined;
  private stopped = false;
  private resourceVersion: string | undefined;

  constructor(
    private readonly watch: Watch,
    private readonly path: string,
    private readonly query: Record<string, string>,
    private readonly onObject: (type: string, object: WatchedObject) => void,
  ) {}

  async start(): Promise<void> {
    if (this.stopped) return;
    const query = { ...this.query, ...(this.resourceVersion ? { resourceVersion: this.resourceVersion } : {}) };
    try {
      this.controller = await this.watch.watch(
        this.path,
        query,
        (type: string, object: WatchedObject) => {
          if (type === "ERROR") {
            // e.g. 410 Gone: start over from the current state
            this.gaps++;
            this.resourceVersion = undefined;
            return;
          }
          const rv = object.metadata?.resourceVersion;
          if (rv) this.resourceVersion = rv;
          if (type !== "BOOKMARK") this.onObject(type, object);
        },
        () => this.restart(),
      );
    } catch {
      this.restart();
    }
  }

  private restart(): void {
    if (this.stopped) return;
    setTimeout(() => void this.start(), 100);
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
  }
}

/** Polls until `check` is true (for an observer's first version). */
async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One stored version of the lock annotation. */
export interface LockVersion {
  readonly resourceVersion: string;
  /** nodes holding a slot in this version (unexpired, non-empty holders) */
  readonly holders: readonly string[];
}

/** Where the lock lives (kured's defaults). */
export interface LockLocation {
  readonly namespace?: string;
  readonly name?: string;
  readonly annotation?: string;
  readonly concurrency?: number;
}

/** Every version of kured's DaemonSet lock annotation, as the server stored them. */
export class LockObserver {
  readonly versions: LockVersion[] = [];
  private readonly follower: FollowedCollection;

  private constructor(kubeConfig: KubeConfig, location: Required<LockLocation>) {
    this.follower = new FollowedCollection(
      new Watch(kubeConfig),
      `/apis/apps/v1/namespaces/${location.namespace}/daemonsets`,
      { fieldSelector: `metadata.name=${location.name}` },
      (type, ds) => {
        const value = type === "DELETED" ? undefined : ds.metadata?.annotations?.[location.annotation];
        this.versions.push({
          resourceVersion: ds.metadata?.resourceVersion ?? "",
          holders: value === undefined ? [] : holdersOf(value, location.concurrency),
        });
      },
    );
  }

  /** Starts watching; resolves once the DaemonSet's current version is seen. */
  static async start(kubeConfig: KubeConfig, location: LockLocation = {}): Promise<LockObserver> {
    const observer = new LockObserver(kubeConfig, {
      namespace: location.namespace ?? "kube-system",
      name: location.name ?? "kured",
      annotation: location.annotation ?? "weave.works/kured-node-lock",
      concurrency: location.concurrency ?? 1,
    });
    await observer.follower.start();
    await until(() => observer.versions.length > 0, "the kured DaemonSet in the lock watch");
    return observer;
  }

  /** The holders in the latest version. */
  holders(): readonly string[] {
    return this.versions.at(-1)?.holders ?? [];
  }

  /** The most holders any version had. */
  maxHolders(): number {
    return Math.max(0, ...this.versions.map((v) => v.holders.length));
  }

  /** Each time a node became a holder, in order (a node twice here took the lock twice). */
  acquisitions(): string[] {
    const out: string[] = [];
    let previous: readonly string[] = [];
    for (const version of this.versions) {
      for (const node of version.holders) if (!previous.includes(node)) out.push(node);
      previous = version.holders;
    }
    return out;
  }

  /** How many times the watch had to start over (versions may have been missed). */
  get gaps(): number {
    return this.follower.gaps;
  }

  stop(): void {
    this.follower.stop();
  }
}

function holdersOf(value: string, concurrency: number): string[] {
  const now = new Date();
  try {
    return parseLockAnnotation(value, { concurrency })
      .holders.filter((h) => h.node !== "" && !isLockHolderExpired(h, now))
      .map((h) => h.node);
  } catch {
    // a corrupt lock counts as held (as kured reads it); show it as such
    return [`<corrupt lock ${value}>`];
  }
}

/** A node's `spec.unschedulable` changed. */
export interface CordonChange {
  readonly node: string;
  readonly unschedulable: boolean;
  /** the nodes unschedulable right after this change */
  readonly cordoned: readonly string[];
}

/**
 * Every change of the given nodes' schedulability, in the server's order (one watch on all nodes;
 * a real cluster's own nodes are left out).
 */
export class CordonObserver {
  readonly changes: CordonChange[] = [];
  private readonly state = new Map<string, boolean>();
  private readonly follower: FollowedCollection;

  private constructor(kubeConfig: KubeConfig, nodes: readonly string[]) {
    this.follower = new FollowedCollection(new Watch(kubeConfig), "/api/v1/nodes", {}, (type, node) => {
      const name = node.metadata?.name ?? "";
      if (!nodes.includes(name)) return;
      const unschedulable = type !== "DELETED" && node.spec?.unschedulable === true;
      const before = this.state.get(name);
      this.state.set(name, unschedulable);
      if (before === unschedulable) return;
      this.changes.push({ node: name, unschedulable, cordoned: this.cordoned() });
    });
  }

  /** Starts watching; resolves once every node in `nodes` is seen. */
  static async start(kubeConfig: KubeConfig, nodes: readonly string[]): Promise<CordonObserver> {
    const observer = new CordonObserver(kubeConfig, nodes);
    await observer.follower.start();
    await until(() => nodes.every((n) => observer.state.has(n)), `nodes ${nodes.join(", ")} in the node watch`);
    return observer;
  }

  /** Nodes unschedulable now. */
  cordoned(): string[] {
    return [...this.state].filter(([, u]) => u).map(([n]) => n);
  }

  /** The most nodes that were unschedulable at the same time, and which. */
  mostCordonedAtOnce(): readonly string[] {
    return this.changes.reduce<readonly string[]>(
      (most, c) => (c.cordoned.length > most.length ? c.cordoned : most),
      [],
    );
  }

  /** How many times each node went from cordoned to schedulable (a first sight of a node is no change). */
  uncordonCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    const previous = new Map<string, boolean>();
    for (const c of this.changes) {
      if (!c.unschedulable && previous.get(c.node) === true) counts[c.node] = (counts[c.node] ?? 0) + 1;
      previous.set(c.node, c.unschedulable);
    }
    return counts;
  }

  /** How many times each node was cordoned. */
  cordonCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const c of this.changes) if (c.unschedulable) counts[c.node] = (counts[c.node] ?? 0) + 1;
    return counts;
  }

  /** How many times the watch had to start over. */
  get gaps(): number {
    return this.follower.gaps;
  }

  stop(): void {
    this.follower.stop();
  }
}
