import { definePlugin, option } from "@kured/core";

/** The drain plugin's options (kured's names and defaults). */
export const drainOptions = {
  drainGracePeriod: option.int({
    describe: "seconds each pod gets to terminate; negative = the pod's own terminationGracePeriodSeconds",
    default: -1,
    implemented: false,
  }),
  drainPodSelector: option.labelSelector({
    describe: "only pods matching this label selector are drained; empty = all",
    implemented: false,
  }),
  skipWaitForDeleteTimeout: option.int({
    describe: "if above 0, pods deleting for longer than this many seconds are not waited for",
    default: 0,
    min: 0,
    rangeFix: "use 0 (always wait) or a number of seconds",
    implemented: false,
  }),
  drainTimeout: option.duration({
    describe: "give up draining after this long; 0 = never",
    default: "0",
    min: 0,
    implemented: false,
  }),
  blockingPodSelector: option.labelSelectors({
    describe: "label selector of pods that block the reboot while running on the node; repeatable (OR)",
    implemented: false,
  }),
};

/** Cordons and drains the node with evictions that honour PodDisruptionBudgets; the pod blocker. */
export default definePlugin({
  id: "drain",
  core: "^1.0.0",
  description: "draining and the pod blocker",
  options: drainOptions,
  register() {
    // The drainer and the pod blocker register here once built.
  },
});
