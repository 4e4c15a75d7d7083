import { posix } from "node:path";
import { formatGoDuration, redactText, redactUrl, type Clock } from "@kured/core";
import { FreshFile } from "./fresh-file.js";
import { sendHttpRequest, type HttpAnswer } from "./http-request.js";
import { PrometheusQueryError } from "./prometheus-error.js";
import { parseQueryAnswer, type QueryResult } from "./query-result.js";

/** How to reach Prometheus. */
export interface PrometheusClientOptions {
  /** the base URL (a path prefix is kept); userinfo in it becomes basic auth */
  readonly url: URL;
  /** how long one query may take, in ms, on `clock` */
  readonly timeoutMs: number;
  readonly clock: Clock;
  /** a file holding a bearer token, read again whenever it changes */
  readonly bearerTokenFile?: string;
  /** a PEM file of CAs trusted for https instead of the system bundle, read again whenever it changes */
  readonly caFile?: string;
}

/** A Prometheus answer is small; a runaway body must not exhaust the daemon's memory. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Statuses on which client_golang (and so kured) repeats a POST query as a GET. */
const GET_FALLBACK_STATUSES: ReadonlySet<number> = new Set([405, 501]);

/** What `query` is told when its own time limit ran out (never the caller's abort). */
class QueryTimeout extends Error {}

/** The unix time with fraction, as client_golang formats a query's `time` parameter. */
export function formatQueryTime(at: Date): string {
  return String(at.getTime() / 1000);
}

function describeError(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return redactText(typeof code === "string" && !e.message.includes(code) ? `${code}: ${e.message}` : e.message);
  }
  return redactText(String(e));
}

/**
 * A client of the Prometheus HTTP API's instant query endpoint that behaves like kured's
 * (client_golang's) one: POST form, GET on 405/501, the URL's path prefix kept, basic auth from
 * the URL's userinfo. Credentials are sent as headers and never appear in errors.
 */
export class PrometheusClient {
  readonly #endpoint: URL;
  readonly #authorization: string | undefined;
  readonly #token: FreshFile | undefined;
  readonly #ca: FreshFile | undefined;
  /** the base URL without secrets, for logs and reasons */
  readonly displayUrl: string;

  constructor(private readonly options: PrometheusClientOptions) {
    const endpoint = new URL(options.url.href);
    const { username, password } = endpoint;
    endpoint.username = "";
    endpoint.password = "";
    // Go's path.Join: the prefix is kept and a trailing slash does not double.
    endpoint.pathname = posix.join(endpoint.pathname || "/", "api/v1/query");
    this.#endpoint = endpoint;
    this.#authorization =
      username === "" && password === ""
        ? undefined
        : `Basic ${Buffer.from(`${decodeURIComponent(username)}:${decodeURIComponent(password)}`).toString("base64")}`;
    this.#token = options.bearerTokenFile === undefined ? undefined : new FreshFile(options.bearerTokenFile);
    this.#ca = options.caFile === undefined ? undefined : new FreshFile(options.caFile);
    this.displayUrl = redactUrl(options.url.href);
  }

  /**
   * Runs an instant query at the clock's current time. Rejects with a PrometheusQueryError when
   * there is no valid answer, or with the signal's reason when `signal` aborts.
   */
  async query(promql: string, signal: AbortSignal): Promise<QueryResult> {
    signal.throwIfAborted();
    const form = new URLSearchParams({ query: promql, time: formatQueryTime(this.options.clock.now()) });
    const headers = await this.#headers();
    const ca = await this.#readCa();
    const post = new URL(this.#endpoint.href);
    let answer = await this.#send({
      method: "POST",
      url: post,
      headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
      ca,
      signal,
    });
    if (GET_FALLBACK_STATUSES.has(answer.status)) {
      const get = new URL(this.#endpoint.href);
      get.search = form.toString();
      answer = await this.#send({ method: "GET", url: get, headers, ca, signal });
    }
    return parseQueryAnswer(answer);
  }

  async #headers(): Promise<Record<string, string>> {
    const headers: Record<string, string> = { accept: "application/json", "user-agent": "kured-ts" };
    if (this.#authorization !== undefined) headers["authorization"] = this.#authorization;
    if (this.#token !== undefined) {
      let token: string;
      try {
        token = (await this.#token.read()).trim();
      } catch (e) {
        throw new PrometheusQueryError(`cannot read --prometheus-bearer-token-file: ${describeError(e)}`);
      }
      if (token === "") throw new PrometheusQueryError(`--prometheus-bearer-token-file ${this.#token.path} is empty`);
      headers["authorization"] = `Bearer ${token}`;
    }
    return headers;
  }

  async #readCa(): Promise<string | undefined> {
    if (this.#ca === undefined) return undefined;
    try {
      return await this.#ca.read();
    } catch (e) {
      throw new PrometheusQueryError(`cannot read --prometheus-ca-file: ${describeError(e)}`);
    }
  }

  /** One request under the query's time limit, measured on the injected clock. */
  async #send(req: {
    method: "GET" | "POST";
    url: URL;
    headers: Record<string, string>;
    body?: string;
    ca: string | undefined;
    signal: AbortSignal;
  }): Promise<HttpAnswer> {
    const { clock, timeoutMs } = this.options;
    const timer = new AbortController();
    const expired = new AbortController();
    clock.sleep(timeoutMs, timer.signal).then(
      () => expired.abort(new QueryTimeout()),
      () => undefined,
    );
    const what = `${req.method === "POST" ? "Post" : "Get"} ${JSON.stringify(this.displayUrl)}`;
    try {
      return await sendHttpRequest({
        method: req.method,
        url: req.url,
        headers: req.headers,
        ...(req.body === undefined ? {} : { body: req.body }),
        ...(req.ca === undefined ? {} : { ca: req.ca }),
        signal: AbortSignal.any([req.signal, expired.signal]),
        maxBodyBytes: MAX_BODY_BYTES,
      });
    } catch (e) {
      if (req.signal.aborted) throw req.signal.reason;
      if (expired.signal.aborted) {
        throw new PrometheusQueryError(
          `${what}: no answer within ${formatGoDuration(timeoutMs)} (--prometheus-timeout)`,
        );
      }
      throw new PrometheusQueryError(`${what}: ${describeError(e)}`);
    } finally {
      timer.abort();
    }
  }
}
