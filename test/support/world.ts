import {
  createLockBackend,
  kubeClients,
  lazyLockBackend,
  type BusMessage,
  type LockBackend,
  type LockState,
  type RebootEvent,
} from "@kured/core";
import { MemoryLock, startCluster, VirtualClock, type Cluster } from "@kured/testkit";
import { SimulatedDaemon, SimulatedHosts, type DaemonOptions } from "./simulated-daemon.js";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** A test cluster on a virtual clock with simulated hosts, a shared lock and recorded phases. */
export interface World {
  readonly cluster: Cluster;
  readonly clock: VirtualClock;
  readonly hosts: SimulatedHosts;
  readonly lock: MemoryLock;
  readonly events: RebootEvent[];
  readonly daemons: Map<string, SimulatedDaemon>;
  /** which lock the daemons use */
  readonly lockKind: LockKind;
  /** a lock backend for one process of one node */
  lockBackend(): LockBackend;
  /** the lock as the cluster has it now */
  lockState(): Promise<LockState>;
}

/** The lock a world's daemons share: the in-memory reference, or kured's DaemonSet annotation on the API server. */
export type LockKind = "memory" | "daemonset" | "lease";

/** Makes a world; stop it with {@link closeWorld}. */
export async function makeWorld(
  options: { nodes?: number; capacity?: number; ttlMs?: number; lock?: LockKind } = {},
): Promise<World> {
  const clock = new VirtualClock();
  const cluster = await startCluster({ nodes: options.nodes ?? 2, clock, inProcess: true });
  const lock = new MemoryLock({ capacity: options.capacity ?? 1, ttlMs: options.ttlMs ?? 0, clock });
  const lockKind = options.lock ?? "memory";
  const apiLock = (): LockBackend =>
    lazyLockBackend(lockKind, () =>
      createLockBackend({
        backend: lockKind === "lease" ? "lease" : "daemonset",
        kubeConfig: cluster.kubeConfig,
        concurrency: options.capacity ?? 1,
        ttlMs: options.ttlMs ?? 0,
        periodMs: HOUR,
        clock,
      }),
    );
  const inspector = apiLock();
  return {
    cluster,
    clock,
    hosts: new SimulatedHosts(),
    lock,
    events: [],
    daemons: new Map(),
    lockKind,
    lockBackend: () => (lockKind === "memory" ? lock.backend() : apiLock()),
    lockState: async () =>
      lockKind === "memory" ? lock.state() : inspector.inspect({ signal: new AbortController().signal }),
  };
}

/** Stops every daemon and the cluster. */
export async function closeWorld(w: World | undefined): Promise<void> {
  if (!w) return;
  for (const d of w.daemons.values()) await d.stop();
  await w.cluster.close();
}

/** A daemon for `node` in the world (not started). */
export function daemon(w: World, node: string, options: Partial<DaemonOptions> = {}): SimulatedDaemon {
  const d = new SimulatedDaemon({
    cluster: w.cluster,
    clock: w.clock,
    node,
    hosts: w.hosts,
    lock: () => w.lockBackend(),
    record: (m: BusMessage) => void (m.kind === "phase" && w.events.push(m.event)),
    random: () => 0,
    ...options,
  });
  w.daemons.set(node, d);
  return d;
}

/** Reads a node. */
export async function readNode(w: World, name: string) {
  const { core } = await kubeClients(w.cluster.kubeConfig);
  return core.readNode({ name });
}

/** Runs virtual time until `done` holds. */
export async function until(w: World, done: () => boolean | Promise<boolean>, maxMs = 12 * HOUR): Promise<void> {
  await w.clock.runUntil(done, { maxMs });
}
