import { definePlugin, option } from "@kured/core";

/** The flags of `kured simulate` (every daemon flag works too). */
export const simulateOptions = {
  nodes: option.int({
    describe: "how many nodes the simulated cluster has, all needing a reboot",
    default: 5,
    min: 1,
    max: 1000,
  }),
  drainSeconds: option.int({
    describe: "seconds a drain takes (the simulated pods' termination grace period)",
    default: 30,
    min: 0,
  }),
  rebootSeconds: option.int({ describe: "seconds a node is down while it reboots", default: 60, min: 0 }),
  virtualTime: option.bool({ describe: "run on virtual time: hours of cluster time in seconds" }),
  speed: option.int({
    describe:
      "with --virtual-time: virtual seconds per real second while the live view shows (0 = as fast as possible)",
    default: 0,
    min: 0,
  }),
  json: option.bool({ describe: "print only the summary, as one JSON object" }),
  timeline: option.string({
    describe: "write an SVG Gantt chart of the nodes' phases to this file (empty: none)",
    default: "kured-simulate.svg",
  }),
};

/** `kured simulate`: its own flags, resolved with the daemon's. */
export const simulatePlugin = definePlugin({
  id: "simulate",
  core: "^1.0.0",
  description: "kured simulate (a rollout on an in-process cluster)",
  options: simulateOptions,
  register() {
    // Simulation flags configure the command, not daemon components.
  },
});

/** The values of the simulate flags. */
export interface SimulateValues {
  readonly nodes: number;
  readonly drainSeconds: number;
  readonly rebootSeconds: number;
  readonly virtualTime: boolean;
  readonly speed: number;
  readonly json: boolean;
  readonly timeline: string;
}
