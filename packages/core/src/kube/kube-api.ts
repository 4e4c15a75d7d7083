/**
 * A small Kubernetes REST client over node:http/node:https: JSON in, JSON out, watches as
 * newline-delimited JSON. The daemon talks to the API server only through this, so that it loads
 * neither @kubernetes/client-node's generated clients nor undici at run time (about 30 MB resident
 * together, and undici's HTTP parser is WebAssembly): docs/adr/0003. Objects come back as the API
 * server sent them, so date-time fields are RFC 3339 strings, not Date objects; the
 * @kubernetes/client-node types used for them are for field names only.
 */
import type { Agent as HttpAgent, IncomingMessage } from "node:http";
import type * as Https from "node:https";
import { CORE_VERSION } from "../version.js";
import type { KubeAccess, KubeTls } from "./kube-access.js";

/** JSON merge patch (RFC 7386). */
export const MERGE_PATCH = "application/merge-patch+json";
/** Kubernetes strategic merge patch. */
export const STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";

/** The path of a Node object. */
export function nodePath(name: string): string {
  return `/api/v1/nodes/${encodeURIComponent(name)}`;
}

/** Query parameters; undefined values are left out. */
export type KubeQuery = Readonly<Record<string, string | number | boolean | undefined>>;

/** Options of one request. */
export interface KubeRequestOptions {
  readonly signal?: AbortSignal;
  readonly query?: KubeQuery;
  /** the body's content type; JSON by default, merge patch for `patch` */
  readonly contentType?: string;
}

/**
 * An API error: the HTTP status as `code` and the response body (a Status JSON string) as
 * `body`, the shape of the library's ApiException, so `apiErrorInfo` reads both.
 */
export class KubeApiError extends Error {
  override readonly name = "KubeApiError";
  constructor(
    readonly code: number,
    readonly body: string,
    method: string,
    path: string,
  ) {
    super(`${method} ${path}: HTTP ${code}${statusMessage(body)}`);
  }
  /** the Status reason (`NotFound`, `Conflict`, …) */
  get reason(): string | undefined {
    try {
      const reason = (JSON.parse(this.body) as { reason?: unknown }).reason;
      return typeof reason === "string" ? reason : undefined;
    } catch {
      return undefined;
    }
  }
  /** the watch done-callback's field for an HTTP status, as the library's Watch sets it */
  get statusCode(): number {
    return this.code;
  }
}

function statusMessage(body: string): string {
  try {
    const status = JSON.parse(body) as { reason?: unknown; message?: unknown };
    const parts = [status.reason, status.message].filter((p): p is string => typeof p === "string" && p !== "");
    return parts.length > 0 ? `: ${parts.join(": ")}` : "";
  } catch {
    return "";
  }
}

/** Called per watch event, with the event's type (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR). */
export type WatchCallback<T> = (type: string, object: T) => void;

/** The daemon's view of the API server. */
export interface KubeApi {
  readonly server: string;
  request<T>(method: string, path: string, body?: unknown, options?: KubeRequestOptions): Promise<T>;
  get<T>(path: string, options?: KubeRequestOptions): Promise<T>;
  post<T>(path: string, body: unknown, options?: KubeRequestOptions): Promise<T>;
  put<T>(path: string, body: unknown, options?: KubeRequestOptions): Promise<T>;
  /** a JSON merge patch unless `options.contentType` says otherwise */
  patch<T>(path: string, body: unknown, options?: KubeRequestOptions): Promise<T>;
  delete<T>(path: string, options?: KubeRequestOptions): Promise<T>;
  /**
   * Watches a collection (`?watch=true` is added). Resolves once the server answered, with a
   * controller that ends the watch; never rejects: a failure to connect, a non-200 answer (a
   * `KubeApiError`) and the end of the stream all end up in `done`, called exactly once.
   */
  watch<T>(
    path: string,
    query: KubeQuery,
    onEvent: WatchCallback<T>,
    done: (error: unknown) => void,
  ): Promise<AbortController>;
}

/** What the API server's audit log shows as the client. */
const USER_AGENT = `kured-ts/${CORE_VERSION} (node ${process.versions.node})`;

/** How long a request (not a watch) may go without any traffic before it fails. */
const REQUEST_IDLE_TIMEOUT_MS = 60_000;
/** TCP keep-alive probes on idle connections, so a watch notices a vanished server. */
const KEEP_ALIVE_MS = 30_000;

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.equals(b));
}

function sameTls(a: KubeTls, b: KubeTls): boolean {
  return (
    sameBytes(a.ca, b.ca) &&
    sameBytes(a.cert, b.cert) &&
    sameBytes(a.key, b.key) &&
    a.rejectUnauthorized === b.rejectUnauthorized &&
    a.servername === b.servername
  );
}

/** A KubeApi over node:http(s) for the given access. Agents keep connections alive. */
export function createKubeApi(access: KubeAccess): KubeApi {
  const base = new URL(access.server);
  const secure = base.protocol === "https:";
  if (!secure && base.protocol !== "http:") throw new Error(`unsupported API server URL ${access.server}`);
  const prefix = base.pathname.replace(/\/+$/, "");
  const transport = process.getBuiltinModule(secure ? "node:https" : "node:http") as typeof Https;
  let agent: { tls: KubeTls; agent: HttpAgent } | undefined;

  const agentFor = (tls: KubeTls): HttpAgent => {
    // new TLS material (a rotated client certificate): new connections use it; the old agent's
    // requests and watches finish on their own
    if (agent && sameTls(agent.tls, tls)) return agent.agent;
    const made = new transport.Agent({ keepAlive: true, keepAliveMsecs: KEEP_ALIVE_MS, ...(secure ? tls : {}) });
    agent = { tls, agent: made };
    return made;
  };

  const url = (path: string, query: KubeQuery | undefined): string => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
    const search = params.toString();
    return `${prefix}${path}${search ? `?${search}` : ""}`;
  };

  /** Sends a request; resolves with the response once its headers arrived. */
  const send = async (
    method: string,
    path: string,
    body: unknown,
    options: KubeRequestOptions,
    watch: boolean,
  ): Promise<{ response: IncomingMessage; abort: () => void }> => {
    const { headers: auth, tls } = await access.credentials();
    options.signal?.throwIfAborted();
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const headers: Record<string, string | number> = { Accept: "application/json", "User-Agent": USER_AGENT, ...auth };
    if (payload !== undefined) {
      headers["Content-Type"] = options.contentType ?? "application/json";
      headers["Content-Length"] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      const req = transport.request({
        protocol: base.protocol,
        hostname: base.hostname.replace(/^\[|\]$/g, ""),
        port: base.port || (secure ? 443 : 80),
        method,
        path: url(path, options.query),
        headers,
        agent: agentFor(tls),
      });
      const abort = (): void => {
        req.destroy(options.signal?.reason instanceof Error ? options.signal.reason : abortError());
      };
      options.signal?.addEventListener("abort", abort, { once: true });
      req.on("close", () => options.signal?.removeEventListener("abort", abort));
      if (!watch) req.setTimeout(REQUEST_IDLE_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on("error", reject);
      req.on("response", (response) => resolve({ response, abort }));
      req.end(payload);
    });
  };

  const readAll = (response: IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      response.on("data", (c: Buffer) => chunks.push(c));
      response.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      response.on("error", reject);
      response.on("aborted", () => reject(new Error("the response was cut off")));
    });

  const request = async <T>(
    method: string,
    path: string,
    body?: unknown,
    options: KubeRequestOptions = {},
  ): Promise<T> => {
    const { response } = await send(method, path, body, options, false);
    // aborted while the body streams: reject with the abort reason, as before the headers arrived
    const text = await readAll(response).catch((e: unknown) => {
      const signal = options.signal;
      throw signal?.aborted ? (signal.reason instanceof Error ? signal.reason : abortError()) : e;
    });
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw new KubeApiError(status, text, method, path);
    return (text === "" ? undefined : JSON.parse(text)) as T;
  };

  return {
    server: access.server,
    request,
    get: (path, options) => request("GET", path, undefined, options),
    post: (path, body, options) => request("POST", path, body, options),
    put: (path, body, options) => request("PUT", path, body, options),
    patch: (path, body, options) => request("PATCH", path, body, { contentType: MERGE_PATCH, ...options }),
    delete: (path, options) => request("DELETE", path, undefined, options),
    async watch<T>(path: string, query: KubeQuery, onEvent: WatchCallback<T>, done: (error: unknown) => void) {
      const controller = new AbortController();
      let finished = false;
      const finish = (error: unknown): void => {
        if (finished) return;
        finished = true;
        if (!controller.signal.aborted) controller.abort();
        done(error ?? null);
      };
      let exchange: Awaited<ReturnType<typeof send>>;
      try {
        exchange = await send(
          "GET",
          path,
          undefined,
          { signal: controller.signal, query: { ...query, watch: true } },
          true,
        );
      } catch (error) {
        finish(controller.signal.aborted ? null : error);
        return controller;
      }
      const { response } = exchange;
      if (response.statusCode !== 200) {
        readAll(response).then(
          (text) => finish(new KubeApiError(response.statusCode ?? 0, text, "GET", path)),
          (error: unknown) => finish(error),
        );
        return controller;
      }
      controller.signal.addEventListener("abort", () => finish(null), { once: true });
      response.setEncoding("utf8");
      let buffered = "";
      response.on("data", (chunk: string) => {
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line === "" || finished) continue;
          let event: { type?: unknown; object?: unknown };
          try {
            event = JSON.parse(line) as typeof event;
          } catch {
            continue; // a line that is not JSON is not an event
          }
          if (typeof event.type === "string") onEvent(event.type, event.object as T);
        }
      });
      response.on("end", () => finish(null));
      response.on("error", (error) => finish(controller.signal.aborted ? null : error));
      response.on("close", () => finish(null));
      return controller;
    },
  };
}

function abortError(): Error {
  const error = new Error("The operation was aborted");
  error.name = "AbortError";
  return error;
}
