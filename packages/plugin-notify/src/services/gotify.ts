import type { HttpRequest } from "../http-request.js";
import { postJson } from "../http-request.js";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import {
  displayUrl,
  expectStatusBelow,
  hostPort,
  httpScheme,
  secretsOf,
  sendAll,
  type NotifyService,
} from "./service.js";

/** A Gotify URL, read. */
export interface GotifyConfig {
  /** scheme, host, port and sub-path, without a trailing slash */
  readonly base: string;
  readonly token: string;
  readonly title: string;
  readonly priority: number;
  /** send the token as `X-Gotify-Key` instead of `?token=` (the fork's `useheader`) */
  readonly useHeader: boolean;
}

const TOKEN = /^A[A-Za-z0-9._-]{14}$/;

/** Reads `gotify://host[:port][/sub/path]/<token>`. */
export function parseGotifyUrl(url: ServiceUrl): GotifyConfig {
  url.query.rejectUnknown("gotify", ["title", "priority", "disabletls", "useheader"]);
  const token = url.segments[url.segments.length - 1] ?? "";
  if (url.host === "" || !TOKEN.test(token)) {
    throw new NotifyUrlError(
      "the Gotify URL needs a host and an application token (15 characters, starting with A)",
      "write gotify://host[:port][/sub/path]/<app-token>",
    );
  }
  const sub = url.segments.slice(0, -1).map(encodeURIComponent).join("/");
  return {
    base: `${httpScheme(url.query.bool("disabletls", false))}://${hostPort(url)}${sub ? `/${sub}` : ""}`,
    token,
    title: url.query.get("title") || "Shoutrrr notification",
    priority: url.query.int("priority", 0),
    useHeader: url.query.bool("useheader", false),
  };
}

/**
 * The message POST. shoutrrr v0.8 wrote `<sub-path>//message` with a sub-path; we write one slash
 * (Gotify and proxies treat both alike).
 */
export function gotifyRequest(config: GotifyConfig, message: string): HttpRequest {
  const payload = { message, title: config.title, priority: config.priority };
  if (config.useHeader) return postJson(`${config.base}/message`, payload, { "X-Gotify-Key": config.token });
  return postJson(`${config.base}/message?token=${encodeURIComponent(config.token)}`, payload);
}

/** Gotify servers. */
export const gotifyService: NotifyService = {
  name: "gotify",
  schemes: ["gotify"],
  parse(url) {
    const config = parseGotifyUrl(url);
    return {
      service: "gotify",
      display: displayUrl("gotify", hostPort(url)),
      secrets: secretsOf(config.token),
      deliver: (message, ctx) => sendAll([gotifyRequest(config, message)], ctx, expectStatusBelow(400)),
    };
  },
};
