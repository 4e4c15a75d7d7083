import { definePlugin, option, Tokens, type DrainOptions, type KubeApi } from "@kured/core";
import { EvictionDrainer } from "./eviction-drainer.js";
import { PodBlocker } from "./pod-blocker.js";

export {
  EvictionDrainer,
  DEFAULT_DRAIN_OPTIONS,
  DEFAULT_MAX_CONCURRENT_EVICTIONS,
  DEFAULT_POLL_INTERVAL_MS,
  type EvictionDrainerOptions,
  type EvictionDrainContext,
} from "./eviction-drainer.js";
export { PodBlocker, BLOCKING_PODS_LIMIT, type PodBlockerOptions } from "./pod-blocker.js";
export { podDisposition, MIRROR_POD_ANNOTATION, type PodDisposition, type SkipReason } from "./pod-rules.js";

/** The drain plugin's options (kured's names and defaults, plus the eviction retry delay). */
export const drainOptions = {
  drainGracePeriod: option.int({
    describe: "seconds each pod gets to terminate; negative = the pod's own terminationGracePeriodSeconds",
    default: -1,
  }),
  drainPodSelector: option.labelSelector({
    describe: "only pods matching this label selector are drained; empty = all",
  }),
  skipWaitForDeleteTimeout: option.int({
    describe: "if above 0, pods deleting for longer than this many seconds are not waited for",
    default: 0,
    min: 0,
    rangeFix: "use 0 (always wait) or a number of seconds",
  }),
  drainTimeout: option.duration({
    describe: "give up draining after this long; 0 = never",
    default: "0",
    min: 0,
  }),
  drainEvictionRetryDelay: option.duration({
    describe: "wait this long before retrying an eviction a PodDisruptionBudget refused (kured retries at once)",
    default: "5s",
    min: 0,
  }),
  blockingPodSelector: option.labelSelectors({
    describe: "label selector of pods that block the reboot while running on the node; repeatable (OR)",
  }),
};

/** Cordons and drains the node with evictions that honour PodDisruptionBudgets; the pod blocker. */
export const drainPlugin = definePlugin({
  id: "drain",
  core: "^1.0.0",
  description: "draining and the pod blocker",
  options: drainOptions,
  register(reg, { options }) {
    const defaults: DrainOptions = {
      gracePeriodSeconds: options.drainGracePeriod,
      podSelector: options.drainPodSelector.toString(),
      skipWaitForDeleteTimeoutSeconds: options.skipWaitForDeleteTimeout,
      timeoutMs: options.drainTimeout,
      evictionRetryDelayMs: options.drainEvictionRetryDelay,
    };
    reg.drainer("eviction", (ctx) => new EvictionDrainer({ kube: ctx.resolve<KubeApi>(Tokens.Kube), defaults }));
    // kured consults the pod blocker only when selectors are given
    if (options.blockingPodSelector.length > 0) {
      const selectors = options.blockingPodSelector;
      reg.blocker("pods", (ctx) => new PodBlocker({ kube: ctx.resolve<KubeApi>(Tokens.Kube), selectors }));
    }
  },
});

export default drainPlugin;
