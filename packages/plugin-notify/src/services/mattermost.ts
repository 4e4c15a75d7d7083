import type { HttpRequest } from "../http-request.js";
import { postJson } from "../http-request.js";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import { displayUrl, expectStatus, hostPort, httpScheme, secretsOf, sendAll, type NotifyService } from "./service.js";

/** A Mattermost URL, read. */
export interface MattermostConfig {
  readonly base: string;
  readonly token: string;
  readonly username?: string;
  readonly channel?: string;
  readonly icon?: string;
}

/** Reads `mattermost://[user@]host[:port]/<token>[/<channel>]`. */
export function parseMattermostUrl(url: ServiceUrl): MattermostConfig {
  url.query.rejectUnknown("mattermost", ["icon", "title", "disabletls"]);
  const [token, channel] = url.segments;
  if (url.host === "" || token === undefined || url.segments.length > 2) {
    throw new NotifyUrlError(
      "the Mattermost URL needs a host and a webhook token",
      "write mattermost://[username@]host[:port]/<token>[/<channel>]",
    );
  }
  const icon = url.query.get("icon") || undefined;
  return {
    // shoutrrr v0.8 dropped the port; the fork keeps it, and so do we.
    base: `${httpScheme(url.query.bool("disabletls", false))}://${hostPort(url)}`,
    token,
    ...(url.user ? { username: url.user } : {}),
    ...(channel ? { channel } : {}),
    ...(icon ? { icon } : {}),
  };
}

/** The webhook POST. */
export function mattermostRequest(config: MattermostConfig, message: string): HttpRequest {
  const icon = config.icon
    ? /^https?:\/\//i.test(config.icon)
      ? { icon_url: config.icon }
      : { icon_emoji: config.icon }
    : {};
  return postJson(`${config.base}/hooks/${config.token}`, {
    text: message,
    ...(config.username ? { username: config.username } : {}),
    ...(config.channel ? { channel: config.channel } : {}),
    ...icon,
  });
}

/** Mattermost incoming webhooks. */
export const mattermostService: NotifyService = {
  name: "mattermost",
  schemes: ["mattermost"],
  parse(url) {
    const config = parseMattermostUrl(url);
    return {
      service: "mattermost",
      display: displayUrl("mattermost", hostPort(url)),
      secrets: secretsOf(config.token),
      deliver: (message, ctx) => sendAll([mattermostRequest(config, message)], ctx, expectStatus(200)),
    };
  },
};
