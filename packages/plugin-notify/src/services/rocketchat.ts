import type { HttpRequest } from "../http-request.js";
import { postJson } from "../http-request.js";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import { displayUrl, expectStatus, hostPort, secretsOf, sendAll, type NotifyService } from "./service.js";

/** A Rocket.Chat URL, read. */
export interface RocketChatConfig {
  readonly base: string;
  readonly tokenA: string;
  readonly tokenB: string;
  readonly username?: string;
  /** `#channel` or `@user` */
  readonly channel?: string;
}

/** Reads `rocketchat://[user@]host[:port]/<tokenA>/<tokenB>[/<channel>|/@<user>|/#<channel>]`; the query is ignored. */
export function parseRocketChatUrl(url: ServiceUrl): RocketChatConfig {
  const [tokenA, tokenB, target] = url.segments;
  if (url.host === "" || tokenA === undefined || tokenB === undefined) {
    throw new NotifyUrlError(
      "the Rocket.Chat URL needs a host and both webhook tokens",
      "write rocketchat://[username@]host[:port]/<tokenA>/<tokenB>[/<channel>|/@<user>]",
    );
  }
  let channel: string | undefined;
  if (url.fragment !== "") channel = `#${url.fragment}`;
  else if (target !== undefined) channel = target.startsWith("@") ? target : `#${target}`;
  return {
    base: `https://${hostPort(url)}`,
    tokenA,
    tokenB,
    ...(url.user ? { username: url.user } : {}),
    ...(channel ? { channel } : {}),
  };
}

/** The webhook POST. */
export function rocketChatRequest(config: RocketChatConfig, message: string): HttpRequest {
  return postJson(`${config.base}/hooks/${config.tokenA}/${config.tokenB}`, {
    text: message,
    ...(config.username ? { username: config.username } : {}),
    ...(config.channel ? { channel: config.channel } : {}),
  });
}

/** Rocket.Chat incoming webhooks. */
export const rocketChatService: NotifyService = {
  name: "rocketchat",
  schemes: ["rocketchat"],
  parse(url) {
    const config = parseRocketChatUrl(url);
    return {
      service: "rocketchat",
      display: displayUrl("rocketchat", hostPort(url)),
      secrets: secretsOf(config.tokenA, config.tokenB),
      deliver: (message, ctx) => sendAll([rocketChatRequest(config, message)], ctx, expectStatus(200)),
    };
  },
};
