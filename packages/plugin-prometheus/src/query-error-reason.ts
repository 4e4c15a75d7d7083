import { reason, redactText, type Reason } from "@kured/core";
import { PrometheusQueryError } from "./prometheus-error.js";

/** The Reason of a failed query (`prometheus query error: …`, kured's wording); any error blocks. */
export function queryErrorReason(error: unknown, prefix = ""): Reason {
  const detail =
    error instanceof PrometheusQueryError
      ? error.message
      : // Not ours (a bug or an unexpected library error): show it, but never a secret in it.
        redactText(error instanceof Error ? error.message : String(error));
  return reason("prometheus-query-error", `prometheus query error: ${prefix}${detail}`);
}
