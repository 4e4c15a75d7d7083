/**
 * `serve --busy`: the other writers of a real, busy cluster, emulated on the in-process server so
 * that tests meant for real clusters can be checked to tolerate them. On every tick:
 *
 * - a node controller labels and annotates each Node it has not seen before (as the TTL
 *   controller, cloud node manager and kubelet do) and writes an Event about it to `default`
 *   (as the node lifecycle controller's RegisteredNode), then patches every Node's heartbeat —
 *   the Ready condition's lastHeartbeatTime and an annotation — so each tick moves every Node's
 *   resourceVersion; and, as the node lifecycle controller does, taints a Node whose Ready
 *   condition is not True with `node.kubernetes.io/not-ready:NoSchedule` (and lifts it again);
 * - a DaemonSet controller patches every DaemonSet's status (a condition whose message moves), so
 *   a read-modify-write of a DaemonSet annotation meets 409 Conflicts;
 * - unrelated Events appear in other namespaces.
 *
 * Every write is a patch through the registry, as a controller's through the API would be, so
 * watches see the extra MODIFIED events. Watches' initial ADDED events come in a shuffled order,
 * which kube-apiserver does not specify either.
 */
import type { Clock } from "@kured/core";
import { formatTime, type Registry } from "../server/registry.js";
import { findResource, type ResourceType } from "../server/resources.js";
import { isJsonObject, type StoredObject } from "../server/types.js";

/** Options of {@link BusyControllers}. */
export interface BusyOptions {
  /** real ms between two rounds of writes; default 200 */
  intervalMs?: number;
  /** how many unrelated Events each namespace keeps; default 50 */
  keepEvents?: number;
}

const T = {
  nodes: findResource("", "v1", "nodes") as ResourceType,
  daemonsets: findResource("apps", "v1", "daemonsets") as ResourceType,
  events: findResource("", "v1", "events") as ResourceType,
  namespaces: findResource("", "v1", "namespaces") as ResourceType,
};

/** The labels and annotations the emulated controllers add to every Node. */
export const BUSY_NODE_LABELS: Readonly<Record<string, string>> = {
  "node.kubernetes.io/instance-type": "busy.large",
  "topology.kubernetes.io/zone": "busy-zone-a",
};
export const BUSY_NODE_ANNOTATIONS: Readonly<Record<string, string>> = {
  "node.alpha.kubernetes.io/ttl": "0",
  "volumes.kubernetes.io/controller-managed-attach-detach": "true",
};
/** The annotation whose value moves on every heartbeat. */
export const BUSY_HEARTBEAT_ANNOTATION = "testkit.kured.dev/busy-heartbeat";
/** The namespace of the unrelated workload Events (besides kube-system). */
export const BUSY_NAMESPACE = "busy-workloads";

/** The emulated controllers of a busy cluster; see the file comment. */
export class BusyControllers {
  private timer: ReturnType<typeof setInterval> | undefined;
  private tick = 0;
  private readonly seen = new Set<string>();
  private readonly intervalMs: number;
  private readonly keepEvents: number;

  constructor(
    private readonly registry: Registry,
    private readonly clock: Clock,
    options: BusyOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 200;
    this.keepEvents = options.keepEvents ?? 50;
  }

  /** Starts the rounds (and shuffles watches' initial events). */
  start(): void {
    if (this.timer) return;
    this.registry.initialEventOrder = "shuffled";
    this.timer = setInterval(() => this.round(), this.intervalMs);
  }

  /** Stops the rounds. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round of every controller's writes. */
  round(): void {
    this.tick += 1;
    if (!this.registry.store.get(T.namespaces.storage, undefined, BUSY_NAMESPACE))
      this.attempt(() =>
        this.registry.create(T.namespaces, undefined, { metadata: { name: BUSY_NAMESPACE } }, { internal: true }),
      );
    this.nodes();
    this.daemonSets();
    this.unrelatedEvents();
  }

  private now(): string {
    return formatTime(this.clock.now());
  }

  /** A write that lost a race with a test's delete (or was refused) is simply skipped. */
  private attempt(write: () => void): void {
    try {
      write();
    } catch {
      // the object went away or changed shape meanwhile: a controller retries on its next round
    }
  }

  private nodes(): void {
    for (const node of this.registry.store.list(T.nodes.storage)) {
      const name = node.metadata.name;
      if (node.metadata.deletionTimestamp) continue;
      if (!this.seen.has(node.metadata.uid)) {
        this.seen.add(node.metadata.uid);
        this.attempt(() =>
          this.registry.patch(T.nodes, undefined, name, "strategic", {
            metadata: { labels: BUSY_NODE_LABELS, annotations: BUSY_NODE_ANNOTATIONS },
          }),
        );
        this.event("default", {
          involvedObject: { kind: "Node", name, uid: name, apiVersion: "v1" },
          reason: "RegisteredNode",
          message: `Node ${name} event: Registered Node ${name} in Controller`,
          source: { component: "node-controller" },
        });
      }
      this.attempt(() =>
        this.registry.patch(T.nodes, undefined, name, "merge", {
          metadata: { annotations: { [BUSY_HEARTBEAT_ANNOTATION]: String(this.tick) } },
        }),
      );
      this.notReadyTaint(node);
      if (hasReadyCondition(node)) {
        this.attempt(() =>
          this.registry.patch(
            T.nodes,
            undefined,
            name,
            "strategic",
            { status: { conditions: [{ type: "Ready", lastHeartbeatTime: this.now() }] } },
            "status",
          ),
        );
      }
    }
  }

  private notReadyTaint(node: StoredObject): void {
    const ready = readyStatus(node);
    if (ready === undefined) return;
    const spec = isJsonObject(node.spec) ? node.spec : {};
    const taints = (Array.isArray(spec.taints) ? spec.taints : []).filter(isJsonObject);
    const tainted = taints.some((t) => t.key === NOT_READY_TAINT.key && t.effect === NOT_READY_TAINT.effect);
    if ((ready === "True") === !tainted) return;
    const next =
      ready === "True"
        ? taints.filter((t) => !(t.key === NOT_READY_TAINT.key && t.effect === NOT_READY_TAINT.effect))
        : [...taints, { ...NOT_READY_TAINT, timeAdded: this.now() }];
    // spec.taints is an atomic list: the patch carries the whole of it
    this.attempt(() =>
      this.registry.patch(T.nodes, undefined, node.metadata.name, "merge", {
        spec: { taints: next.length > 0 ? next : null },
      }),
    );
  }

  private daemonSets(): void {
    for (const ds of this.registry.store.list(T.daemonsets.storage)) {
      if (ds.metadata.deletionTimestamp) continue;
      this.attempt(() =>
        this.registry.patch(
          T.daemonsets,
          ds.metadata.namespace,
          ds.metadata.name,
          "merge",
          {
            status: {
              observedGeneration: ds.metadata.generation ?? 1,
              conditions: [
                {
                  type: "testkit.kured.dev/Busy",
                  status: "True",
                  lastTransitionTime: this.now(),
                  reason: "Resync",
                  message: `resync ${this.tick}`,
                },
              ],
            },
          },
          "status",
        ),
      );
    }
  }

  private unrelatedEvents(): void {
    const namespace = this.tick % 2 === 0 ? "kube-system" : BUSY_NAMESPACE;
    this.event(namespace, {
      involvedObject: { kind: "Pod", namespace, name: `busy-worker-${this.tick % 7}`, apiVersion: "v1" },
      reason: this.tick % 3 === 0 ? "BackOff" : "Pulled",
      message: `unrelated event ${this.tick}`,
      source: { component: "kubelet", host: "busy-host" },
    });
    const mine = this.registry.store
      .list(T.events.storage, namespace)
      .filter((e) => e.metadata.name.startsWith("busy-"))
      .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
    for (const old of mine.slice(0, Math.max(0, mine.length - this.keepEvents)))
      this.attempt(() => this.registry.delete(T.events, namespace, old.metadata.name, {}));
  }

  private event(namespace: string, fields: Record<string, unknown>): void {
    const now = this.now();
    this.attempt(() =>
      this.registry.create(
        T.events,
        namespace,
        {
          metadata: { generateName: "busy-", namespace },
          type: fields.reason === "BackOff" ? "Warning" : "Normal",
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
          ...fields,
        },
        { internal: true },
      ),
    );
  }
}

/** The taint the node lifecycle controller puts on a Node that is not Ready. */
export const NOT_READY_TAINT = { key: "node.kubernetes.io/not-ready", effect: "NoSchedule" } as const;

function readyStatus(node: StoredObject): string | undefined {
  const status = isJsonObject(node.status) ? node.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  const ready = conditions.find((c) => isJsonObject(c) && c.type === "Ready");
  return isJsonObject(ready) ? String(ready.status) : undefined;
}

function hasReadyCondition(node: StoredObject): boolean {
  return readyStatus(node) !== undefined;
}
