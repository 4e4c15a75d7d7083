import type { Clock } from "@kured/core";
import type { HttpRequest, HttpResponse, HttpSend } from "./http-request.js";

/** How long to wait before the one retry when the server does not say (`Retry-After`). */
export const DEFAULT_RETRY_DELAY_MS = 1000;

/** Only this much of a response body is kept (error excerpts, small JSON answers). */
const MAX_BODY_CHARS = 64 * 1024;

/** What the sender needs. */
export interface HttpSendOptions {
  readonly clock: Clock;
  /** aborts at the deadline or when the caller gives up */
  readonly signal: AbortSignal;
  /** the deadline, epoch ms on `clock` */
  readonly deadline: number;
  /**
   * Test seam: replaces the origin (scheme, host, port) of every request, so a request built for
   * a fixed public host (hooks.slack.com, api.telegram.org, …) reaches a local sink instead.
   */
  readonly baseUrl?: string;
  /** the fetch to use; the global one by default */
  readonly fetch?: typeof fetch;
}

/** 429 and 5xx may succeed a moment later. */
export function isRetryable(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/** `Retry-After` as a delay in ms (seconds or an HTTP date), or undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now.getTime());
}

/** Replaces a URL's origin with `baseUrl`'s, keeping path and query. */
export function withOrigin(url: string, baseUrl: string): string {
  const target = new URL(url);
  const base = new URL(baseUrl);
  return `${base.origin}${target.pathname}${target.search}`;
}

/**
 * Sends requests with fetch under the notifier's deadline, retrying once after a 429 or 5xx —
 * after `Retry-After` (or {@link DEFAULT_RETRY_DELAY_MS}) on the clock, and only when that wait
 * ends before the deadline. A network error or the deadline rejects; any answer resolves.
 */
export function createHttpSend(options: HttpSendOptions): HttpSend {
  const doFetch = options.fetch ?? fetch;
  const attempt = async (request: HttpRequest): Promise<HttpResponse> => {
    const url = options.baseUrl === undefined ? request.url : withOrigin(request.url, options.baseUrl);
    const response = await doFetch(url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: options.signal,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text: text.slice(0, MAX_BODY_CHARS) };
  };
  return async (request) => {
    const first = await attempt(request);
    if (!isRetryable(first.status)) return first;
    const wait = retryAfterMs(first.headers.get("retry-after"), options.clock.now()) ?? DEFAULT_RETRY_DELAY_MS;
    if (options.clock.now().getTime() + wait >= options.deadline) return first;
    await options.clock.sleep(wait, options.signal);
    return attempt(request);
  };
}
