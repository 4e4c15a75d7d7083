import { definePlugin, type ComponentContext } from "@kured/core";
import { PrometheusAlertBlocker } from "./prometheus-alert-blocker.js";
import { KuredMetrics } from "./kured-metrics.js";
import { MetricsRoute } from "./metrics-route.js";
import { MetricsSubscriber } from "./metrics-subscriber.js";
import { prometheusOptions, validatePrometheusOptions, type PrometheusOptionValues } from "./options.js";
import { PrometheusClient } from "./prometheus-client.js";
import { PrometheusQueryBlocker } from "./prometheus-query-blocker.js";

export { prometheusOptions, validatePrometheusOptions, type PrometheusOptionValues } from "./options.js";
/** kured's alert blocker (`--prometheus-url`) and its filter. */
export {
  PrometheusAlertBlocker,
  activeAlertsMessage,
  DEFAULT_CACHE_TTL_MS,
  type PrometheusAlertBlockerOptions,
} from "./prometheus-alert-blocker.js";
export { activeAlertNames, type AlertFilter } from "./alert-filter.js";
/** The PromQL blocker (`--prometheus-query`). */
export { PrometheusQueryBlocker, type PrometheusQueryBlockerOptions } from "./prometheus-query-blocker.js";
/** The Prometheus HTTP API client and its errors. */
export { PrometheusClient, type PrometheusClientOptions } from "./prometheus-client.js";
export { PrometheusQueryError } from "./prometheus-error.js";
export type { QueryResult, ResultType, Sample } from "./query-result.js";
/** The metric set, its bus subscriber and its `/metrics` route. */
export { KuredMetrics, type KuredMetricsOptions } from "./kured-metrics.js";
export { MetricsSubscriber } from "./metrics-subscriber.js";
export { MetricsRoute } from "./metrics-route.js";

function clientFor(options: PrometheusOptionValues, url: URL, ctx: ComponentContext): PrometheusClient {
  return new PrometheusClient({
    url,
    timeoutMs: options.prometheusTimeout,
    clock: ctx.clock,
    ...(options.prometheusBearerTokenFile === "" ? {} : { bearerTokenFile: options.prometheusBearerTokenFile }),
    ...(options.prometheusCaFile === "" ? {} : { caFile: options.prometheusCaFile }),
  });
}

/**
 * Blocks reboots while Prometheus alerts are active or PromQL queries return non-zero samples,
 * and serves kured's metrics on `/metrics` (always, like kured).
 */
export default definePlugin({
  id: "prometheus",
  core: "^1.0.0",
  description: "alert and PromQL blockers, and the /metrics exporter",
  options: prometheusOptions,
  validate: validatePrometheusOptions,
  register(reg, { options }) {
    // The subscriber and the route must share one registry; the first to be built makes it.
    let metrics: KuredMetrics | undefined;
    const shared = (ctx: ComponentContext): KuredMetrics => (metrics ??= new KuredMetrics({ node: ctx.node }));
    reg.subscriber("prometheus-metrics", (ctx) => new MetricsSubscriber(shared(ctx)));
    reg.httpRoute("prometheus-metrics", (ctx) => new MetricsRoute(shared(ctx)));

    const url = options.prometheusUrl;
    if (url === undefined) return;
    // One client for every blocker of this plugin; it keeps no state between queries but the files' contents.
    let client: PrometheusClient | undefined;
    const clientOf = (ctx: ComponentContext): PrometheusClient => (client ??= clientFor(options, url, ctx));
    const filter = {
      regexp: options.alertFilterRegexp,
      matchOnly: options.alertFilterMatchOnly,
      firingOnly: options.alertFiringOnly,
    };
    reg.blocker(
      "prometheus-alerts",
      (ctx) => new PrometheusAlertBlocker({ client: clientOf(ctx), filter, clock: ctx.clock }),
    );
    options.prometheusQuery.forEach((query, i) => {
      const id = `prometheus-query-${i + 1}`;
      reg.blocker(id, (ctx) => new PrometheusQueryBlocker({ id, query, client: clientOf(ctx), clock: ctx.clock }));
    });
  },
});
