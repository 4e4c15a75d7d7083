import { definePlugin, option } from "@kured/core";

/** The Prometheus plugin's options (kured's names and defaults). */
export const prometheusOptions = {
  prometheusUrl: option.url({
    describe: "Prometheus base URL; when set, active alerts block reboots",
    schemes: ["http", "https"],
    implemented: false,
  }),
  alertFilterRegexp: option.regexp({
    describe: "alert names to ignore when checking for active alerts (unanchored RE2)",
    implemented: false,
  }),
  alertFilterMatchOnly: option.bool({
    describe: "only alerts matching --alert-filter-regexp block reboots",
    implemented: false,
  }),
  alertFiringOnly: option.bool({
    describe: "only firing alerts block reboots (pending ones are ignored)",
    implemented: false,
  }),
};

/** Blocks reboots while Prometheus alerts are active; exports kured's metrics. */
export default definePlugin({
  id: "prometheus",
  core: "^1.0.0",
  description: "alert blocker and metrics",
  options: prometheusOptions,
  register() {
    // The alert blocker and the metrics exporter register here once built.
  },
});
