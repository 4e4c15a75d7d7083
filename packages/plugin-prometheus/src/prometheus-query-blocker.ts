import { reason, type Blocker, type BlockerResult, type Clock, type NodeContext } from "@kured/core";
import { DEFAULT_CACHE_TTL_MS } from "./prometheus-alert-blocker.js";
import type { PrometheusClient } from "./prometheus-client.js";
import { PrometheusQueryError } from "./prometheus-error.js";
import { queryErrorReason } from "./query-error-reason.js";
import type { Sample } from "./query-result.js";
import { SharedResult } from "./shared-result.js";

/** How many offending series a reason names before `...`. */
const MAX_NAMED_SERIES = 5;

/** A value as Prometheus prints it (`+Inf`, `-Inf`, `NaN`, shortest decimal). */
function formatValue(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

/** A series as Prometheus prints it: `name{label="value", …}`, labels sorted, `{}` when there are none. */
export function formatSeries(labels: Readonly<Record<string, string>>): string {
  const { __name__: name = "", ...rest } = labels;
  const pairs = Object.keys(rest)
    .sort()
    .map((key) => `${key}=${JSON.stringify(rest[key])}`);
  return pairs.length === 0 && name !== "" ? name : `${name}{${pairs.join(", ")}}`;
}

/** The reason text of a query with non-zero samples: the query, then up to five series with values. */
export function nonZeroMessage(query: string, samples: readonly Sample[]): string {
  const shown = samples.slice(0, MAX_NAMED_SERIES).map((s) => `${formatSeries(s.labels)} = ${formatValue(s.value)}`);
  if (samples.length > MAX_NAMED_SERIES) shown.push("...");
  const count = samples.length === 1 ? "1 non-zero sample" : `${samples.length} non-zero samples`;
  return `query ${JSON.stringify(query)} returned ${count}: ${shown.join("; ")}`;
}

/** What a PromQL blocker needs. */
export interface PrometheusQueryBlockerOptions {
  /** kebab-case, unique among blockers */
  readonly id: string;
  /** the PromQL expression; a vector or a scalar */
  readonly query: string;
  readonly client: PrometheusClient;
  readonly clock: Clock;
  /** how long an answer is reused; default DEFAULT_CACHE_TTL_MS */
  readonly cacheTtlMs?: number;
}

/**
 * A PromQL blocker (`--prometheus-query`, beyond kured): blocks while the instant query returns
 * any sample whose value is not 0 (so `expr > 0` comparisons and `bool` results both work), and
 * on any query error. An empty result lets the reboot through. Cluster-scoped.
 */
export class PrometheusQueryBlocker implements Blocker {
  readonly id: string;
  readonly scope = "cluster";
  readonly #query: string;
  readonly #nonZero: SharedResult<Sample[]>;

  constructor(options: PrometheusQueryBlockerOptions) {
    const { client, query } = options;
    this.id = options.id;
    this.#query = query;
    this.#nonZero = new SharedResult({
      clock: options.clock,
      ttlMs: options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS,
      async load(signal) {
        const result = await client.query(query, signal);
        if (result.resultType !== "vector" && result.resultType !== "scalar") {
          throw new PrometheusQueryError(`unexpected value type ${result.resultType}`);
        }
        return result.samples.filter((s) => s.value !== 0);
      },
    });
  }

  async check(ctx: NodeContext): Promise<BlockerResult> {
    let nonZero: Sample[];
    try {
      nonZero = await this.#nonZero.get(ctx.signal);
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      return { blocked: true, reason: queryErrorReason(e, `query ${JSON.stringify(this.#query)}: `) };
    }
    if (nonZero.length === 0) return { blocked: false };
    return { blocked: true, reason: reason("prometheus-query-nonzero", nonZeroMessage(this.#query, nonZero)) };
  }
}
