import { reason, type Blocker, type BlockerResult, type Clock, type NodeContext } from "@kured/core";
import { activeAlertNames, type AlertFilter } from "./alert-filter.js";
import type { PrometheusClient } from "./prometheus-client.js";
import { PrometheusQueryError } from "./prometheus-error.js";
import { queryErrorReason } from "./query-error-reason.js";
import { SharedResult } from "./shared-result.js";

/** How long one answer of a cluster-scoped query is reused, so that many waiters send one query. */
export const DEFAULT_CACHE_TTL_MS = 5_000;

/** kured names at most this many alerts in its log line, then `...`. */
const MAX_NAMED_ALERTS = 10;

/** kured's wording: `<n> active alerts: [a b ...]`, at most ten names, then `...`. */
export function activeAlertsMessage(names: readonly string[]): string {
  const shown = names.length > MAX_NAMED_ALERTS ? [...names.slice(0, MAX_NAMED_ALERTS), "..."] : names;
  return `${names.length} active alerts: [${shown.join(" ")}]`;
}

/** What the alert blocker needs. */
export interface PrometheusAlertBlockerOptions {
  readonly client: PrometheusClient;
  readonly filter: AlertFilter;
  readonly clock: Clock;
  /** how long an answer is reused; default DEFAULT_CACHE_TTL_MS */
  readonly cacheTtlMs?: number;
}

/**
 * kured's Prometheus blocker (`--prometheus-url`): blocks while the instant query `ALERTS` has
 * alerts that pass kured's filter, and on any query error. Cluster-scoped.
 */
export class PrometheusAlertBlocker implements Blocker {
  readonly id = "prometheus-alerts";
  readonly scope = "cluster";
  readonly #alerts: SharedResult<string[]>;

  constructor(options: PrometheusAlertBlockerOptions) {
    const { client, filter } = options;
    this.#alerts = new SharedResult({
      clock: options.clock,
      ttlMs: options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS,
      async load(signal) {
        const result = await client.query("ALERTS", signal);
        if (result.resultType !== "vector") {
          throw new PrometheusQueryError(`unexpected value type ${result.resultType}`);
        }
        return activeAlertNames(result.samples, filter);
      },
    });
  }

  async check(ctx: NodeContext): Promise<BlockerResult> {
    let names: string[];
    try {
      names = await this.#alerts.get(ctx.signal);
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      return { blocked: true, reason: queryErrorReason(e) };
    }
    if (names.length === 0) return { blocked: false };
    return { blocked: true, reason: reason("prometheus-alerts-active", activeAlertsMessage(names)) };
  }
}
