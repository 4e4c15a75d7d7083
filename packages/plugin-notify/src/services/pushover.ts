import type { HttpRequest } from "../http-request.js";
import { postForm } from "../http-request.js";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import { displayUrl, expectStatus, secretsOf, sendAll, type NotifyService } from "./service.js";

/** A Pushover URL, read. */
export interface PushoverConfig {
  readonly token: string;
  readonly user: string;
  readonly devices: readonly string[];
  readonly title?: string;
  readonly priority?: number;
}

/** Reads `pushover://shoutrrr:<api-token>@<user-key>/?devices=…` (the user name is ignored). */
export function parsePushoverUrl(url: ServiceUrl): PushoverConfig {
  url.query.rejectUnknown("pushover", ["devices", "priority", "title"]);
  if (!url.password || url.host === "") {
    throw new NotifyUrlError(
      "the Pushover URL needs an API token and a user key",
      "write pushover://shoutrrr:<api-token>@<user-key>/?devices=<device>[,<device>…]",
    );
  }
  const title = url.query.get("title") || undefined;
  const priority = url.query.get("priority") ? url.query.int("priority", 0) : undefined;
  return {
    token: url.password,
    user: url.host,
    devices: url.query.list("devices"),
    ...(title ? { title } : {}),
    ...(priority !== undefined ? { priority } : {}),
  };
}

/** One form POST for all devices; priority only in −2…1 (emergency needs retry settings kured cannot give). */
export function pushoverRequest(config: PushoverConfig, message: string): HttpRequest {
  const fields: [string, string][] = [
    ["device", config.devices.join(",")],
    ["user", config.user],
    ["token", config.token],
    ["message", message],
  ];
  if (config.title) fields.push(["title", config.title]);
  if (config.priority !== undefined && config.priority >= -2 && config.priority <= 1) {
    fields.push(["priority", String(config.priority)]);
  }
  return postForm("https://api.pushover.net/1/messages.json", fields);
}

/** Pushover. */
export const pushoverService: NotifyService = {
  name: "pushover",
  schemes: ["pushover"],
  parse(url) {
    const config = parsePushoverUrl(url);
    return {
      service: "pushover",
      display: displayUrl("pushover"),
      secrets: secretsOf(config.token, config.user),
      deliver: (message, ctx) => sendAll([pushoverRequest(config, message)], ctx, expectStatus(200)),
    };
  },
};
