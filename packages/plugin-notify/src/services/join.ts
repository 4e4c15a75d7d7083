import type { HttpRequest } from "../http-request.js";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import { displayUrl, expectStatus, secretsOf, sendAll, type NotifyService } from "./service.js";

/** A Join URL, read. */
export interface JoinConfig {
  readonly apiKey: string;
  readonly devices: readonly string[];
  readonly title?: string;
  readonly icon?: string;
}

/** Reads `join://shoutrrr:<api-key>@join/?devices=…` (user name and host are filler). */
export function parseJoinUrl(url: ServiceUrl): JoinConfig {
  url.query.rejectUnknown("join", ["devices", "title", "icon"]);
  const fix = "write join://shoutrrr:<api-key>@join/?devices=<device>[,<device>…]";
  if (!url.password) throw new NotifyUrlError("the Join URL has no API key", fix);
  const devices = url.query.list("devices");
  if (devices.length === 0) throw new NotifyUrlError("the Join URL names no device", fix);
  const title = url.query.get("title") || undefined;
  const icon = url.query.get("icon") || undefined;
  return { apiKey: url.password, devices, ...(title ? { title } : {}), ...(icon ? { icon } : {}) };
}

/**
 * The push: Join's API takes everything in the query string (the key included) and an empty body.
 * The URL is never logged.
 */
export function joinRequest(config: JoinConfig, message: string): HttpRequest {
  const query = new URLSearchParams([
    ["deviceIds", config.devices.join(",")],
    ["apikey", config.apiKey],
    ["text", message],
  ]);
  if (config.title) query.append("title", config.title);
  if (config.icon) query.append("icon", config.icon);
  return {
    method: "POST",
    url: `https://joinjoaomgcd.appspot.com/_ah/api/messaging/v1/sendPush?${query.toString()}`,
    headers: { "Content-Type": "text/plain" },
    body: "",
  };
}

/** Join by joaoapps. */
export const joinService: NotifyService = {
  name: "join",
  schemes: ["join"],
  parse(url) {
    const config = parseJoinUrl(url);
    return {
      service: "join",
      display: displayUrl("join"),
      secrets: secretsOf(config.apiKey),
      deliver: (message, ctx) => sendAll([joinRequest(config, message)], ctx, expectStatus(200)),
    };
  },
};
