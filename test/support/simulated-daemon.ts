import {
  createEventBus,
  createLogger,
  kubeApiFor,
  kubeEventsSubscriber,
  NodeOperations,
  NodeWatch,
  RebootCoordinator,
  RebootWindow,
  type Blocker,
  type BusMessage,
  type Checkpoint,
  type CycleSettings,
  type Detector,
  type Drainer,
  type EventBus,
  type LockBackend,
  type Rebooter,
  type RebootEvent,
} from "@kured/core";
import type { Cluster, VirtualClock } from "@kured/testkit";

/** Cycle settings for tests: a one-hour period and no delays unless a test says otherwise. */
export function testSettings(overrides: Partial<CycleSettings> = {}): CycleSettings {
  return {
    periodMs: 3_600_000,
    forceReboot: false,
    drainDelayMs: 0,
    rebootDelayMs: 0,
    annotateNodes: false,
    preRebootLabels: [],
    postRebootLabels: [],
    preferNoScheduleTaint: "",
    postRebootReadyTimeoutMs: 600_000,
    drain: {
      gracePeriodSeconds: -1,
      podSelector: "",
      skipWaitForDeleteTimeoutSeconds: 0,
      timeoutMs: 0,
      evictionRetryDelayMs: 5_000,
    },
    ...overrides,
  };
}

/** What the simulated host of each node knows: whether its OS wants a reboot. */
export class SimulatedHosts {
  readonly needsReboot = new Set<string>();
  /** reboots that really happened, per node */
  readonly reboots = new Map<string, number>();

  detector(): Detector {
    return {
      id: "simulated-sentinel",
      check: async (ctx) =>
        this.needsReboot.has(ctx.node)
          ? { required: true, reason: { code: "sentinel-present", message: "simulated sentinel present" } }
          : { required: false },
    };
  }
}

/** How a simulated drain behaves. */
export interface DrainBehaviour {
  /** how long a drain takes (virtual ms) */
  durationMs?: number;
  /** the drain fails */
  fail?: boolean;
}

/** A drainer that cordons for real and "drains" by waiting, so the cycle can be tested alone. */
export function simulatedDrainer(ops: NodeOperations, behaviour: () => DrainBehaviour): Drainer {
  return {
    cordon: (ctx) => ops.setUnschedulable(true, ctx.signal, ctx.annotations),
    uncordon: async (ctx) => {
      await ops.setUnschedulable(false, ctx.signal, ctx.annotations);
    },
    async drain(ctx) {
      const b = behaviour();
      ctx.onProgress?.({ evicted: 0, remaining: 1 });
      await ctx.clock.sleep(b.durationMs ?? 10_000, ctx.signal);
      if (b.fail) {
        return {
          ok: false,
          reason: { code: "drain-timeout", message: "pod default/web-1 blocked by PodDisruptionBudget web" },
          remainingPods: ["default/web-1"],
        };
      }
      ctx.onProgress?.({ evicted: 1, remaining: 0 });
      return { ok: true };
    },
  };
}

/** Options of a simulated daemon. */
export interface DaemonOptions {
  readonly cluster: Cluster;
  readonly clock: VirtualClock;
  readonly node: string;
  readonly hosts: SimulatedHosts;
  /** a fresh lock backend for each process start (the lock object itself is shared) */
  readonly lock: () => LockBackend;
  readonly settings?: Partial<CycleSettings>;
  readonly window?: { rebootDays?: string; startTime?: string; endTime?: string; timeZone?: string };
  readonly blockers?: readonly Blocker[];
  readonly drain?: () => DrainBehaviour;
  /** how long a reboot keeps the node down */
  readonly downForMs?: number;
  /** after the reboot the process starts while the node still reports NotReady for this long */
  readonly notReadyAfterBootMs?: number;
  /** crash (stop dead) at this point, the first time it is reached */
  readonly crashAt?: Checkpoint;
  /** called at every checkpoint (without stopping), e.g. to start an API outage there */
  readonly onCheckpoint?: (point: Checkpoint) => void;
  /** called when the rebooter is asked to reboot, before anything happens */
  readonly onReboot?: () => void | Promise<void>;
  /** also publish Kubernetes Events on the Node, as the daemon does */
  readonly kubeEvents?: boolean;
  /** a name for this daemon's processes (default the node name): process ids are `<name>/p<start>` */
  readonly name?: string;
  /** every bus message of every daemon goes here too */
  readonly record?: (message: BusMessage) => void;
  readonly random?: () => number;
}

/**
 * One node's kured, as a process that can be started, stopped (SIGTERM), crash at a checkpoint,
 * and that "dies" when its node reboots and starts again once the node is back.
 */
export class SimulatedDaemon {
  readonly bus: EventBus;
  private controller: AbortController | undefined;
  private running: Promise<void> | undefined;
  private crashed = false;
  private eventsSubscribed = false;
  private starts = 0;

  constructor(private readonly o: DaemonOptions) {
    this.bus = createEventBus({ log: createLogger({ format: "json", level: "silent" }) });
    if (o.record) {
      const record = o.record;
      this.bus.subscribe({ id: "record", handle: (m) => record(m) });
    }
  }

  /** True once the process stopped dead at `crashAt`. */
  get hasCrashed(): boolean {
    return this.crashed;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** How many times a process was started. */
  get processStarts(): number {
    return this.starts;
  }

  /** The lock identity of the current (or last) process. */
  get processId(): string {
    return `${this.o.name ?? this.o.node}/p${this.starts}`;
  }

  /** Starts a fresh process (no-op when one runs). */
  async start(): Promise<void> {
    if (this.running) return;
    this.starts++;
    const { cluster, clock, node } = this.o;
    const kube = kubeApiFor(cluster.kubeConfig);
    const ops = new NodeOperations({ kube, node, clock });
    if (this.o.kubeEvents && !this.eventsSubscribed) {
      this.eventsSubscribed = true;
      this.bus.subscribe(kubeEventsSubscriber({ kube, node, log: createLogger({ format: "json", level: "silent" }) }));
    }
    const controller = new AbortController();
    this.controller = controller;
    const behaviour = this.o.drain ?? (() => ({}));
    const coordinator = new RebootCoordinator({
      node,
      process: this.processId,
      clock,
      log: createLogger({ format: "json", level: (process.env.KURED_TEST_LOG as "info") ?? "silent", base: { node } }),
      bus: this.bus,
      window: RebootWindow.parse({
        rebootDays: this.o.window?.rebootDays ?? "su,mo,tu,we,th,fr,sa",
        startTime: this.o.window?.startTime ?? "0:00",
        endTime: this.o.window?.endTime ?? "23:59:59",
        timeZone: this.o.window?.timeZone ?? "UTC",
      }),
      detectors: [this.o.hosts.detector()],
      blockers: this.o.blockers ?? [],
      lock: this.o.lock(),
      drainer: simulatedDrainer(ops, behaviour),
      rebooter: this.rebooter(),
      nodeOps: ops,
      nodeWatch: new NodeWatch({
        kube,
        node,
        clock,
        log: createLogger({ format: "json", level: "silent" }),
      }),
      settings: testSettings(this.o.settings),
      ...(this.o.random ? { random: this.o.random } : {}),
      checkpoint: (point) => {
        this.o.onCheckpoint?.(point);
        if (this.crashed || point !== this.o.crashAt) return false;
        this.crashed = true;
        return true;
      },
    });
    this.running = coordinator.run(controller.signal).finally(() => {
      if (this.controller === controller) {
        this.running = undefined;
        this.controller = undefined;
      }
    });
  }

  /** SIGTERM: stops the process, which cleans up what it must. */
  async stop(): Promise<void> {
    const running = this.running;
    this.controller?.abort(new Error("SIGTERM"));
    await running;
  }

  /** Resolves when the current process has ended (crash, stop). */
  async ended(): Promise<void> {
    await this.running;
  }

  private rebooter(): Rebooter {
    return {
      id: "simulated",
      reboot: async () => {
        const { cluster, hosts, node } = this.o;
        await this.o.onReboot?.();
        // The node goes down a moment after the request; the process dies with it and a new one
        // starts once the node is back.
        void (async () => {
          await this.o.clock.sleep(1_000);
          await this.stop();
          hosts.needsReboot.delete(node);
          hosts.reboots.set(node, (hosts.reboots.get(node) ?? 0) + 1);
          await cluster.reboot(node, { downFor: this.o.downForMs ?? 120_000 });
          const notReadyMs = this.o.notReadyAfterBootMs ?? 0;
          if (notReadyMs > 0) await cluster.setNodeReady(node, false);
          await this.start();
          if (notReadyMs > 0) {
            await this.o.clock.sleep(notReadyMs);
            await cluster.setNodeReady(node, true);
          }
        })();
      },
    };
  }
}

/** The phases published for a node, in order. */
export function phasesOf(events: readonly RebootEvent[], node: string): string[] {
  return events.filter((e) => e.node === node).map((e) => e.phase);
}
