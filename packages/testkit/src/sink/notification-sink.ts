import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { systemClock, type Clock } from "@kured/core";
import { Recording, type WaitCondition } from "./recording.js";

/** One request the sink received, fully read. */
export interface RecordedRequest {
  /** 1 for the first request the sink received */
  readonly seq: number;
  readonly method: string;
  /** the path without the query, e.g. `/hooks/abc` */
  readonly path: string;
  /** the query as sent (repeated keys keep every value) */
  readonly query: URLSearchParams;
  /** header names in lower case, as node:http gives them */
  readonly headers: IncomingHttpHeaders;
  /** the raw body */
  readonly body: Buffer;
  /** the body as UTF-8 text */
  readonly text: string;
  /** the parsed body, when the content type is JSON and it parses */
  readonly json?: unknown;
  /** the fields, when the body is `application/x-www-form-urlencoded` */
  readonly form?: Readonly<Record<string, string>>;
  /** real time of arrival */
  readonly receivedAt: Date;
}

/** How the sink answers a request. */
export interface SinkResponse {
  /** default 200 */
  readonly status?: number;
  /** a string or buffer as is, anything else as JSON; default `{}` */
  readonly body?: unknown;
  /** e.g. `{ "retry-after": "3" }` */
  readonly headers?: Readonly<Record<string, string>>;
  /** wait this long before answering (on the sink's clock) */
  readonly delayMs?: number;
  /** destroy the connection instead of answering (after `delayMs`) */
  readonly drop?: boolean;
}

/** A fixed response, or a function of the request. */
export type SinkResponder = SinkResponse | ((request: RecordedRequest) => SinkResponse | Promise<SinkResponse>);

/** Which requests a response rule applies to: an exact path, a path pattern, or a test. */
export type SinkMatcher = string | RegExp | ((request: RecordedRequest) => boolean);

/** How to start a sink. */
export interface NotificationSinkOptions {
  /** the clock `delayMs` waits on; default the system clock (a virtual clock makes delays virtual) */
  readonly clock?: Clock;
  /** the answer when no rule matches; default 200 `{}` */
  readonly defaultResponse?: SinkResponse;
}

/** A real HTTP server on loopback that records what notifiers send and answers as programmed. */
export interface NotificationSink {
  /** `http://127.0.0.1:<port>`, without a trailing slash */
  readonly url: string;
  readonly port: number;
  /** every request received so far, oldest first */
  readonly requests: readonly RecordedRequest[];
  /**
   * Answers matching requests with `response`; the rule added last wins, and a rule with
   * `times` is used that many times, then forgotten (e.g. one 429, then the default).
   */
  respond(match: SinkMatcher, response: SinkResponder, options?: { times?: number }): void;
  /** The first `count` requests once they arrived; rejects after `timeoutMs` real ms (default 5000). */
  waitFor(count: number, timeoutMs?: number): Promise<readonly RecordedRequest[]>;
  /** The first request that passes `predicate`; rejects after `timeoutMs` real ms (default 5000). */
  waitFor(predicate: (request: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** Forgets recorded requests and response rules. */
  reset(): void;
  /** Stops the server, cutting open connections and pending delays. */
  close(): Promise<void>;
}

interface Rule {
  readonly match: SinkMatcher;
  readonly response: SinkResponder;
  remaining: number;
}

/** Starts a notification sink on a free port of 127.0.0.1. */
export async function startNotificationSink(options: NotificationSinkOptions = {}): Promise<NotificationSink> {
  const clock = options.clock ?? systemClock;
  const fallback: SinkResponse = options.defaultResponse ?? { status: 200, body: {} };
  const recording = new Recording<RecordedRequest>();
  let rules: Rule[] = [];
  let seq = 0;
  const closing = new AbortController();

  const pickResponse = async (request: RecordedRequest): Promise<SinkResponse> => {
    for (let i = rules.length - 1; i >= 0; i--) {
      const rule = rules[i] as Rule;
      if (!matches(rule.match, request)) continue;
      if (--rule.remaining <= 0) rules = rules.filter((r) => r !== rule);
      return typeof rule.response === "function" ? await rule.response(request) : rule.response;
    }
    return fallback;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const request = record(++seq, req, body);
    recording.push(request);
    const response = await pickResponse(request);
    if (response.delayMs !== undefined && response.delayMs > 0) {
      // Stop waiting when the client gives up or the sink closes, so nothing outlives close().
      const gone = AbortSignal.any([closing.signal, abortOnClose(res)]);
      try {
        await clock.sleep(response.delayMs, gone);
      } catch {
        req.socket.destroy();
        return;
      }
    }
    if (response.drop) {
      req.socket.destroy();
      return;
    }
    const { payload, contentType } = encode(response.body);
    const headers: Record<string, string> = { "content-type": contentType, ...lowerCaseKeys(response.headers) };
    res.writeHead(response.status ?? 200, headers);
    res.end(payload);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A responder that throws is a bug in the test; answer 500 so the client does not hang.
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`notification sink: responder failed: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return recording.items;
    },
    respond(match, response, respondOptions) {
      rules.push({ match, response, remaining: respondOptions?.times ?? Infinity });
    },
    waitFor: ((condition: WaitCondition<RecordedRequest>, timeoutMs = 5000) =>
      recording.waitFor(condition, timeoutMs, "notification requests")) as NotificationSink["waitFor"],
    reset() {
      recording.clear();
      rules = [];
    },
    async close() {
      closing.abort(new Error("notification sink closed"));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function matches(match: SinkMatcher, request: RecordedRequest): boolean {
  if (typeof match === "string") return request.path === match;
  if (match instanceof RegExp) return match.test(request.path);
  return match(request);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function record(seq: number, req: IncomingMessage, body: Buffer): RecordedRequest {
  const url = new URL(req.url ?? "/", "http://sink.invalid");
  const text = body.toString("utf8");
  const contentType = (req.headers["content-type"] ?? "").toLowerCase();
  const request: RecordedRequest = {
    seq,
    method: req.method ?? "GET",
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body,
    text,
    receivedAt: new Date(),
  };
  if (/[/+]json\b/.test(contentType)) {
    try {
      return { ...request, json: JSON.parse(text) as unknown };
    } catch {
      return request; // malformed JSON is recorded as text: the test decides whether that is a failure
    }
  }
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    return { ...request, form: Object.fromEntries(new URLSearchParams(text)) };
  }
  return request;
}

function encode(body: unknown): { payload: string | Buffer; contentType: string } {
  if (body === undefined) return { payload: "{}", contentType: "application/json" };
  if (Buffer.isBuffer(body)) return { payload: body, contentType: "application/octet-stream" };
  if (typeof body === "string") return { payload: body, contentType: "text/plain; charset=utf-8" };
  return { payload: JSON.stringify(body), contentType: "application/json" };
}

function lowerCaseKeys(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

function abortOnClose(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort(new Error("client went away"));
  });
  return controller.signal;
}
