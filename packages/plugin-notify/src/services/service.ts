import type { Logger } from "@kured/core";
import type { HttpRequest, HttpResponse, HttpSend } from "../http-request.js";
import type { ServiceUrl } from "../service-url.js";

/** Settings from other flags that change how a URL is read (`--slack-username`, `--slack-channel`). */
export interface ServiceOptions {
  readonly slackUsername: string;
  readonly slackChannel: string;
}

/** What a delivery may use: the HTTP sender (timeout and retry included), the deadline, a logger. */
export interface DeliveryContext {
  readonly http: HttpSend;
  /** aborts at the notifier's deadline or when the caller gives up */
  readonly signal: AbortSignal;
  /** ms left until the deadline when the delivery started */
  readonly timeoutMs: number;
  readonly log: Logger;
}

/** A URL that parsed: how to show it, what must never be shown, and how to send a message to it. */
export interface NotifyTarget {
  /** the service name, e.g. `slack` */
  readonly service: string;
  /** the URL as it may be logged: `scheme://` plus only its non-secret parts */
  readonly display: string;
  /** tokens, passwords and keys from the URL: scrubbed from anything logged */
  readonly secrets: readonly string[];
  deliver(message: string, ctx: DeliveryContext): Promise<void>;
}

/** One shoutrrr service: its schemes and how a URL of it becomes a target. */
export interface NotifyService {
  /** canonical name, used in component ids (`notify-<name>-<n>`) */
  readonly name: string;
  /** the schemes it answers to (aliases included) */
  readonly schemes: readonly string[];
  /** throws NotifyUrlError (never quoting a secret) when the URL cannot work */
  parse(url: ServiceUrl, options: ServiceOptions): NotifyTarget;
}

/** A refusal by the far end or a failed send; its message holds no secret of the URL. */
export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
}

/** Checks a response: undefined when it counts as success, else what went wrong. */
export type ResponseCheck = (response: HttpResponse) => string | undefined;

/** Success iff the status is one of `statuses`. */
export function expectStatus(...statuses: readonly number[]): ResponseCheck {
  return (r) => (statuses.includes(r.status) ? undefined : `answered ${r.status}${bodyHint(r.text)}`);
}

/** Success iff the status is below `limit` (2xx, or 2xx–3xx). */
export function expectStatusBelow(limit: number): ResponseCheck {
  return (r) => (r.status >= 200 && r.status < limit ? undefined : `answered ${r.status}${bodyHint(r.text)}`);
}

/** A short, single-line excerpt of a response body for an error message. */
export function bodyHint(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  if (line === "") return "";
  return `: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`;
}

/** Sends requests one after another and stops at the first failure (shoutrrr's order). */
export async function sendAll(
  requests: readonly HttpRequest[],
  ctx: DeliveryContext,
  check: ResponseCheck,
): Promise<void> {
  for (const request of requests) {
    const response = await ctx.http(request);
    const problem = check(response);
    if (problem !== undefined) throw new DeliveryError(problem);
  }
}

/** A URL as it may be shown: the scheme, and the host only when it is not a secret. */
export function displayUrl(scheme: string, host?: string, extra = ""): string {
  return `${scheme}://${host === undefined || host === "" ? "…" : host}/…${extra}`;
}

/** The non-empty strings of a list: a target's secrets. */
export function secretsOf(...values: readonly (string | undefined)[]): string[] {
  return values.filter((v): v is string => v !== undefined && v.length >= 3);
}

/** `http` when TLS is disabled, else `https`. */
export function httpScheme(disableTls: boolean): string {
  return disableTls ? "http" : "https";
}

/** `host:port`, or `host` when there is no port. */
export function hostPort(url: ServiceUrl): string {
  return url.port === "" ? url.host : `${url.host}:${url.port}`;
}

/** Splits a message into lines, dropping one trailing empty line (a final newline). */
export function messageLines(message: string): string[] {
  const lines = message.split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}
