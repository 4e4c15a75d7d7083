import type { KubeConfig } from "@kubernetes/client-node";
import type { KubeApi } from "../kube/kube-api.js";
import { kubeApiOf } from "../kube/kube-source.js";
import type { ResolvedConfig } from "../config/resolve.js";
import type { Clock } from "../contracts/clock.js";
import type { DrainOptions } from "../contracts/drainer.js";
import type { EventBus } from "../contracts/event-bus.js";
import type { Logger } from "../contracts/logger.js";
import { RebootCoordinator } from "../coordinator/coordinator.js";
import { runRebootRequiredSampler } from "../coordinator/reboot-required-sampler.js";
import type { Checkpoint, CycleSettings } from "../coordinator/cycle-settings.js";
import { KuredError } from "../errors/kured-error.js";
import { createEventBus } from "../events/event-bus.js";
import { NodeOperations } from "../node/node-operations.js";
import { NodeWatch } from "../node/node-watch.js";
import type { PluginHost } from "../plugin/plugin-host.js";
import type { KeyValue } from "../plugin/option.js";
import { kubeEventsSubscriber } from "../subscribers/kube-events-subscriber.js";
import { logSubscriber } from "../subscribers/log-subscriber.js";
import { notifierSubscriber } from "../subscribers/notifier-subscriber.js";
import { RebootWindow } from "../window/index.js";

/** The core options' values, as the core plugin declares them. */
export interface CoreValues {
  readonly nodeId: string;
  readonly period: number;
  readonly forceReboot: boolean;
  readonly drainDelay: number;
  readonly rebootDelay: number;
  readonly rebootMethod: string;
  readonly lockBackend: string;
  readonly rebootDays: readonly string[];
  readonly startTime: string;
  readonly endTime: string;
  readonly timeZone: string;
  readonly annotateNodes: boolean;
  readonly preRebootNodeLabels: readonly KeyValue[];
  readonly postRebootNodeLabels: readonly KeyValue[];
  readonly preferNoScheduleTaint: string;
  readonly postRebootReadyTimeout: number;
}

/** kured's drain flags, read by name (they are part of kured's interface), with kured's defaults. */
export function drainOptionsFrom(config: ResolvedConfig): DrainOptions {
  const value = <T>(flag: string, fallback: T): T => {
    const entry = config.table.byFlag.get(flag);
    if (!entry) return fallback;
    const v = config.values.get(entry.pluginId)?.[entry.key];
    return v === undefined ? fallback : (v as T);
  };
  const selector = value<{ toString(): string } | string>("drain-pod-selector", "");
  return {
    gracePeriodSeconds: value("drain-grace-period", -1),
    podSelector: typeof selector === "string" ? selector : selector.toString(),
    skipWaitForDeleteTimeoutSeconds: value("skip-wait-for-delete-timeout", 0),
    timeoutMs: value("drain-timeout", 0),
    evictionRetryDelayMs: value("drain-eviction-retry-delay", 5_000),
  };
}

/** The cycle settings from the core options. */
export function cycleSettingsFrom(core: CoreValues, config: ResolvedConfig): CycleSettings {
  return {
    periodMs: core.period,
    forceReboot: core.forceReboot,
    drainDelayMs: core.drainDelay,
    rebootDelayMs: core.rebootDelay,
    annotateNodes: core.annotateNodes,
    preRebootLabels: core.preRebootNodeLabels,
    postRebootLabels: core.postRebootNodeLabels,
    preferNoScheduleTaint: core.preferNoScheduleTaint,
    postRebootReadyTimeoutMs: core.postRebootReadyTimeout,
    drain: drainOptionsFrom(config),
  };
}

/** A daemon ready to run: the coordinator and its event bus. */
export interface Daemon {
  readonly bus: EventBus;
  readonly coordinator: RebootCoordinator;
  /** runs the cycle until the signal aborts, then lets subscribers finish */
  run(signal: AbortSignal): Promise<void>;
}

/**
 * Builds the daemon from the plugin host: the single drainer, the lock backend named by
 * `--lock-backend`, the rebooter named by `--reboot-method`, every detector and blocker, and the
 * subscribers (logs, Kubernetes Events, notifiers, and the plugins' own).
 */
export async function assembleDaemon(options: {
  host: PluginHost;
  config: ResolvedConfig;
  /** the REST client; or a client-node KubeConfig to make one from */
  kube?: KubeApi;
  kubeConfig?: KubeConfig;
  clock: Clock;
  log: Logger;
  random?: () => number;
  checkpoint?: (point: Checkpoint) => boolean | void;
}): Promise<Daemon> {
  const { host, config, clock, log } = options;
  const core = config.values.get("kured") as unknown as CoreValues;
  const node = core.nodeId;
  const drainers = host.resolveAll("drainer");
  const drainer = drainers[0];
  if (!drainer || drainers.length > 1) {
    throw new KuredError(
      "KURED_ERR_COMPONENT_MISSING",
      `exactly one plugin must provide a drainer, found ${drainers.length} (${host
        .list("drainer")
        .map((r) => `${r.id} from ${r.pluginId}`)
        .join(", ")}); load one drain plugin`,
    );
  }
  const lock = host.resolve("lockBackend", core.lockBackend);
  const rebooter = host.resolve("rebooter", core.rebootMethod);
  const kube = kubeApiOf(options, "assembleDaemon");
  const bus = createEventBus({ log });
  bus.subscribe(logSubscriber(log));
  bus.subscribe(kubeEventsSubscriber({ kube, node, log }));
  const notifiers = host.resolveAll("notifier");
  if (notifiers.length > 0) bus.subscribe(notifierSubscriber({ notifiers, log, clock }));
  for (const subscriber of host.resolveAll("subscriber")) bus.subscribe(subscriber);
  const detectors = host.resolveAll("detector");
  const coordinator = new RebootCoordinator({
    node,
    clock,
    log,
    bus,
    window: RebootWindow.parse({
      rebootDays: core.rebootDays,
      startTime: core.startTime,
      endTime: core.endTime,
      timeZone: core.timeZone,
    }),
    detectors,
    blockers: host.resolveAll("blocker"),
    lock,
    drainer,
    rebooter,
    nodeOps: new NodeOperations({ kube, node, clock }),
    nodeWatch: new NodeWatch({ kube, node, clock, log }),
    settings: cycleSettingsFrom(core, config),
    ...(options.random ? { random: options.random } : {}),
    ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
  });
  return {
    bus,
    coordinator,
    async run(signal: AbortSignal): Promise<void> {
      const sampler = runRebootRequiredSampler({ detectors, bus, node, clock, log }, signal);
      try {
        await coordinator.run(signal);
      } finally {
        await sampler;
        await bus.drain();
      }
    },
  };
}
