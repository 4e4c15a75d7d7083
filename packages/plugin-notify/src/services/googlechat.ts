import type { HttpRequest } from "../http-request.js";
import { postJson } from "../http-request.js";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import { displayUrl, expectStatusBelow, hostPort, secretsOf, sendAll, type NotifyService } from "./service.js";

/** A Google Chat URL, read. */
export interface GoogleChatConfig {
  readonly host: string;
  readonly path: string;
  readonly key: string;
  readonly token: string;
}

/** Reads `googlechat://chat.googleapis.com/v1/spaces/<space>/messages?key=…&token=…` (also `hangouts://`). */
export function parseGoogleChatUrl(url: ServiceUrl): GoogleChatConfig {
  const key = url.query.get("key") ?? "";
  const token = url.query.get("token") ?? "";
  // shoutrrr forgot to check the token; a webhook without one never works, so we refuse it.
  if (url.host === "" || key === "" || token === "") {
    throw new NotifyUrlError(
      "the Google Chat URL needs a host, a key and a token",
      "take the webhook URL https://chat.googleapis.com/v1/spaces/…/messages?key=…&token=… and replace https with googlechat",
    );
  }
  return { host: hostPort(url), path: url.path, key, token };
}

/** The webhook POST; only `key` and `token` are kept from the query. */
export function googleChatRequest(config: GoogleChatConfig, message: string): HttpRequest {
  const query = new URLSearchParams([
    ["key", config.key],
    ["token", config.token],
  ]);
  return postJson(`https://${config.host}${encodeURI(config.path)}?${query.toString()}`, { text: message });
}

/** Google Chat (formerly Hangouts Chat) webhooks. */
export const googleChatService: NotifyService = {
  name: "googlechat",
  schemes: ["googlechat", "hangouts"],
  parse(url) {
    const config = parseGoogleChatUrl(url);
    return {
      service: "googlechat",
      display: displayUrl(url.service, config.host),
      secrets: secretsOf(config.key, config.token),
      deliver: (message, ctx) => sendAll([googleChatRequest(config, message)], ctx, expectStatusBelow(300)),
    };
  },
};
