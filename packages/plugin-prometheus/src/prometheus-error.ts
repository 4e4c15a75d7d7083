/**
 * A Prometheus query that did not give an answer: unreachable server, timeout, non-2xx status,
 * an error from the API, or a body that is not a query result. The message never holds
 * credentials (the URL is shown without userinfo, path or query).
 */
export class PrometheusQueryError extends Error {
  override readonly name = "PrometheusQueryError";
  /** the Reason code a blocker reports for it */
  readonly code = "prometheus-query-error";
}
