import type { KubeConfig } from "@kubernetes/client-node";
import {
  assembleDaemon,
  createLogger,
  definePlugin,
  PluginHost,
  systemClock,
  Tokens,
  type Clock,
  type KuredPlugin,
  type LockState,
  type ResolvedConfig,
} from "@kured/core";
import { startCluster, VirtualClock, type Cluster } from "@kured/testkit";
import { NodeRecord } from "./node-record.js";
import type { SimulateValues } from "./simulate-plugin.js";

/** What a finished simulation reports. */
export interface SimulationResult {
  readonly nodes: number;
  readonly concurrency: number;
  readonly rebooted: number;
  readonly uncordoned: number;
  /** first lock taken → last lock released, in seconds of cluster time */
  readonly makespanSeconds: number;
  /** ⌈nodes / concurrency⌉ × (drain + reboot + ready) */
  readonly limitSeconds: number;
  readonly maxConcurrent: number;
  readonly apiRequests: number;
  readonly lockFree: boolean;
  readonly virtualTime: boolean;
  readonly completed: boolean;
  readonly records: readonly NodeRecord[];
  readonly startedAt: Date;
  readonly endedAt: Date;
}

/** Options of a simulation run. */
export interface SimulationOptions {
  readonly config: ResolvedConfig;
  /** the daemon's plugins (the sentinel plugin is replaced by the simulated host) */
  readonly plugins: readonly KuredPlugin[];
  readonly sim: SimulateValues;
  /** called about every 200 ms of real time while it runs (the live view) */
  readonly onProgress?: (records: readonly NodeRecord[], now: Date) => void;
}

const HOUR = 3_600_000;

/** One node's kured as a process: started, killed by its reboot, started again when the node is back. */
class SimulatedNode {
  private controller: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(
    readonly record: NodeRecord,
    private readonly env: {
      cluster: Cluster;
      kubeConfig: KubeConfig;
      clock: Clock;
      config: ResolvedConfig;
      plugins: readonly KuredPlugin[];
      needsReboot: Set<string>;
      rebootMs: number;
    },
  ) {}

  async start(): Promise<void> {
    if (this.running) return;
    const { clock, kubeConfig } = this.env;
    const node = this.record.name;
    const log = createLogger({ format: "json", level: "silent" });
    const config = nodeConfig(this.env.config, node);
    const plugins = [...this.env.plugins, this.hostPlugin()];
    const host = await PluginHost.start({
      plugins,
      config,
      services: { node, clock, log, extra: new Map([[Tokens.KubeConfig, kubeConfig]]) },
    });
    const daemon = await assembleDaemon({ host, config, kubeConfig, clock, log });
    daemon.bus.subscribe({ id: "record", handle: (m) => void (m.kind === "phase" && this.record.add(m.event)) });
    const controller = new AbortController();
    this.controller = controller;
    this.running = daemon.run(controller.signal).finally(() => {
      if (this.controller === controller) {
        this.controller = undefined;
        this.running = undefined;
      }
    });
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.controller?.abort(new Error("stopped"));
    await running;
  }

  /** The node's OS, as a plugin: its reboot-required flag and its reboot. */
  private hostPlugin(): KuredPlugin {
    const node = this.record.name;
    const { needsReboot } = this.env;
    return definePlugin({
      id: "simulated-host",
      core: "^1.0.0",
      register: (reg) => {
        reg.detector("simulated-sentinel", () => ({
          id: "simulated-sentinel",
          check: async () =>
            needsReboot.has(node)
              ? { required: true, reason: { code: "sentinel-present", message: "simulated sentinel present" } }
              : { required: false },
        }));
        reg.rebooter("simulated", () => ({
          id: "simulated",
          reboot: async () => {
            void this.rebootNow();
          },
        }));
      },
    }) as KuredPlugin;
  }

  private async rebootNow(): Promise<void> {
    const { cluster, needsReboot, rebootMs } = this.env;
    await this.stop();
    needsReboot.delete(this.record.name);
    this.record.reboots++;
    await cluster.reboot(this.record.name, { downFor: rebootMs });
    await this.start();
  }
}

/** The configuration for one node's daemon: its node id and the simulated rebooter. */
function nodeConfig(config: ResolvedConfig, node: string): ResolvedConfig {
  const values = new Map(config.values);
  values.set("kured", { ...(config.values.get("kured") ?? {}), nodeId: node, rebootMethod: "simulated" });
  return { ...config, values };
}

/** Most lock holders at one instant, from the nodes' lock-acquired/released intervals. */
function maxConcurrent(records: readonly NodeRecord[], end: Date): number {
  const edges: Array<[number, number]> = [];
  for (const r of records) {
    for (const [from, to] of r.holding()) {
      edges.push([from.getTime(), 1], [(to ?? end).getTime(), -1]);
    }
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let max = 0;
  for (const [, delta] of edges) {
    current += delta;
    max = Math.max(max, current);
  }
  return max;
}

/**
 * Runs a rolling reboot of `--nodes` nodes on an in-process cluster with the real coordinator,
 * lock and drain plugins on every node, and reports how it went.
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const { sim, config } = options;
  const core = config.values.get("kured") as { concurrency: number; period: number };
  const virtual = sim.virtualTime ? new VirtualClock({ start: new Date() }) : undefined;
  const clock: Clock = virtual ?? systemClock;
  const names = Array.from({ length: sim.nodes }, (_, i) => `node-${i + 1}`);
  const cluster = await startCluster({ nodes: names, clock, inProcess: true });
  const records = names.map((n) => new NodeRecord(n));
  const needsReboot = new Set(names);
  const plugins = options.plugins.filter((p) => p.id !== "sentinel");
  const env = {
    cluster,
    kubeConfig: cluster.kubeConfig,
    clock,
    config,
    plugins,
    needsReboot,
    rebootMs: sim.rebootSeconds * 1000,
  };
  const nodes = records.map((r) => new SimulatedNode(r, env));
  const startedAt = clock.now();
  let completed: boolean;
  try {
    // Work to drain: two pods per node whose termination takes --drain-seconds.
    await cluster.createDeployment({
      name: "workload",
      replicas: 2 * sim.nodes,
      terminationGracePeriodSeconds: sim.drainSeconds,
    });
    await cluster.settle();
    for (const n of nodes) await n.start();
    const done = (): boolean => records.every((r) => r.done);
    const budgetMs = Math.max(
      24 * HOUR,
      4 * core.period + 10 * sim.nodes * (sim.drainSeconds + sim.rebootSeconds + 60) * 1000,
    );
    const deadline = startedAt.getTime() + budgetMs;
    const progress = (): void => options.onProgress?.(records, clock.now());
    if (virtual && sim.speed === 0) {
      const ticker = setInterval(progress, 200);
      try {
        await virtual.runUntil(done, { maxMs: budgetMs, stallMs: 10_000 });
      } finally {
        clearInterval(ticker);
      }
    } else {
      while (!done() && clock.now().getTime() < deadline) {
        if (virtual) await virtual.advance(sim.speed * 200);
        progress();
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    completed = done();
    progress();
  } finally {
    for (const n of nodes) await n.stop();
  }
  const endedAt = clock.now();
  const lock = await inspectLock(cluster, clock, config, plugins);
  const unschedulable = await countUnschedulable(cluster);
  const apiRequests = cluster.server?.audit.count() ?? 0;
  await cluster.close();
  const firstTaken = Math.min(...records.map((r) => r.first("lock-acquired")?.getTime() ?? Infinity));
  const lastReleased = Math.max(...records.map((r) => r.last("lock-released")?.getTime() ?? -Infinity));
  const concurrency = core.concurrency;
  return {
    nodes: sim.nodes,
    concurrency,
    rebooted: records.filter((r) => r.reboots > 0).length,
    uncordoned: sim.nodes - unschedulable,
    makespanSeconds:
      Number.isFinite(firstTaken) && Number.isFinite(lastReleased) ? (lastReleased - firstTaken) / 1000 : 0,
    limitSeconds: Math.ceil(sim.nodes / concurrency) * (sim.drainSeconds + sim.rebootSeconds),
    maxConcurrent: maxConcurrent(records, endedAt),
    apiRequests,
    lockFree: lock !== undefined && lock.holders.length === 0 && lock.manual === undefined,
    virtualTime: sim.virtualTime,
    completed,
    records,
    startedAt,
    endedAt,
  };
}

/** The lock as the configured backend reads it at the end. */
async function inspectLock(
  cluster: Cluster,
  clock: Clock,
  config: ResolvedConfig,
  plugins: readonly KuredPlugin[],
): Promise<LockState | undefined> {
  const log = createLogger({ format: "json", level: "silent" });
  const host = await PluginHost.start({
    plugins,
    config: nodeConfig(config, "simulate"),
    services: { node: "simulate", clock, log, extra: new Map([[Tokens.KubeConfig, cluster.kubeConfig]]) },
  });
  const core = config.values.get("kured") as { lockBackend: string };
  const lock = host.resolve("lockBackend", core.lockBackend);
  return lock.inspect({ signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
}

async function countUnschedulable(cluster: Cluster): Promise<number> {
  const list = await cluster.apis.core.listNode({});
  return list.items.filter((n) => n.spec?.unschedulable === true).length;
}
