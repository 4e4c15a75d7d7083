import { PrometheusQueryError } from "./prometheus-error.js";

/** One sample of an instant query: its labels (with `__name__` when the series has a name) and value. */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The result types of the Prometheus HTTP API. */
export type ResultType = "vector" | "scalar" | "matrix" | "string";

/** An instant query's answer. A scalar is one sample without labels; matrix and string results carry none. */
export interface QueryResult {
  readonly resultType: ResultType;
  readonly samples: readonly Sample[];
}

const RESULT_TYPES: ReadonlySet<string> = new Set(["vector", "scalar", "matrix", "string"]);

/** Prometheus answers API errors with a JSON body under these statuses (as client_golang reads them). */
const API_ERROR_STATUSES: ReadonlySet<number> = new Set([400, 422, 503]);

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Prometheus sends sample values as strings: numbers, `NaN`, `+Inf`, `-Inf`. */
function sampleValue(pair: unknown): number {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[1] !== "string") {
    throw new PrometheusQueryError("malformed sample value in the query result");
  }
  const text = pair[1];
  if (text === "+Inf" || text === "Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (text === "NaN") return Number.NaN;
  const value = Number(text);
  if (text.trim() === "" || Number.isNaN(value))
    throw new PrometheusQueryError(`malformed sample value ${JSON.stringify(text)}`);
  return value;
}

function labelsOf(metric: unknown): Record<string, string> {
  if (!isRecord(metric)) throw new PrometheusQueryError("malformed sample labels in the query result");
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(metric)) {
    if (typeof value !== "string") throw new PrometheusQueryError(`malformed value of label ${JSON.stringify(name)}`);
    labels[name] = value;
  }
  return labels;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new PrometheusQueryError("the answer is not JSON");
  }
}

/** Reads an `{status:"error", errorType, error}` body into an error, as client_golang words it. */
function apiError(json: unknown): PrometheusQueryError {
  const { errorType, error } = isRecord(json) ? json : {};
  const type = typeof errorType === "string" && errorType !== "" ? `${errorType}: ` : "";
  const text = typeof error === "string" && error !== "" ? error : "unknown error";
  return new PrometheusQueryError(`${type}${text}`);
}

/**
 * Turns an answer of `/api/v1/query` into a result, or throws a PrometheusQueryError: a status
 * other than 2xx (with the API's own error text for 400, 422 and 503), a body that is not JSON,
 * `status: "error"`, or a malformed result.
 */
export function parseQueryAnswer(answer: { status: number; statusText: string; body: string }): QueryResult {
  const ok = answer.status >= 200 && answer.status < 300;
  if (!ok && !API_ERROR_STATUSES.has(answer.status)) {
    throw new PrometheusQueryError(`server returned HTTP status ${answer.status} ${answer.statusText}`.trimEnd());
  }
  const json = parseJson(answer.body);
  if (!isRecord(json)) throw new PrometheusQueryError("the answer is not a JSON object");
  if (json["status"] === "error" || !ok) throw apiError(json);
  if (json["status"] !== "success") throw new PrometheusQueryError('the answer has no status "success"');
  const data = json["data"];
  if (!isRecord(data)) throw new PrometheusQueryError("the answer has no data");
  const resultType = data["resultType"];
  if (typeof resultType !== "string" || !RESULT_TYPES.has(resultType)) {
    throw new PrometheusQueryError(`unknown result type ${JSON.stringify(resultType)}`);
  }
  const result = data["result"];
  switch (resultType) {
    case "vector": {
      if (!Array.isArray(result)) throw new PrometheusQueryError("the vector result is not a list");
      const samples = result.map((s: unknown): Sample => {
        if (!isRecord(s)) throw new PrometheusQueryError("malformed sample in the query result");
        return { labels: labelsOf(s["metric"]), value: sampleValue(s["value"]) };
      });
      return { resultType, samples };
    }
    case "scalar":
      return { resultType, samples: [{ labels: {}, value: sampleValue(result) }] };
    default:
      return { resultType: resultType as ResultType, samples: [] };
  }
}
