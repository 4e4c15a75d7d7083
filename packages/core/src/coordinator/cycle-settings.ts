import type { DrainOptions } from "../contracts/drainer.js";
import type { KeyValue } from "../plugin/option.js";

/** The knobs of the reboot cycle, from the flags. Durations in milliseconds. */
export interface CycleSettings {
  /** `--period`: time between checks; the first is jittered over [0.5, 1.5) × period */
  readonly periodMs: number;
  /** `--force-reboot`: reboot even when the drain fails */
  readonly forceReboot: boolean;
  /** `--drain-delay`: wait before draining (after the pre-reboot labels) */
  readonly drainDelayMs: number;
  /** `--reboot-delay`: wait between the drain and the reboot */
  readonly rebootDelayMs: number;
  /** `--annotate-nodes`: write kured's progress annotations */
  readonly annotateNodes: boolean;
  /** `--pre-reboot-node-labels` */
  readonly preRebootLabels: readonly KeyValue[];
  /** `--post-reboot-node-labels` */
  readonly postRebootLabels: readonly KeyValue[];
  /** `--prefer-no-schedule-taint`; empty = none */
  readonly preferNoScheduleTaint: string;
  /** `--post-reboot-ready-timeout`: how long to wait for Ready after a reboot before releasing anyway */
  readonly postRebootReadyTimeoutMs: number;
  /** the drain flags */
  readonly drain: DrainOptions;
}

/** Where a crash can be simulated in tests (a real process can die at any of these). */
export type Checkpoint =
  | "lock-acquired"
  | "pre-labels"
  | "cordoned"
  | "mid-drain"
  | "drained"
  | "reboot-delay"
  | "reboot-requested"
  | "uncordoned"
  | "released";
