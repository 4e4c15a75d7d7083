import type { HttpRequest } from "../http-request.js";
import { basicAuth, postForm } from "../http-request.js";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import {
  DeliveryError,
  displayUrl,
  expectStatus,
  hostPort,
  secretsOf,
  sendAll,
  type NotifyService,
} from "./service.js";

/** A Zulip URL, read. */
export interface ZulipConfig {
  readonly host: string;
  readonly botMail: string;
  readonly botKey: string;
  readonly stream: string;
  readonly topic?: string;
}

/** Zulip's limits. */
export const ZULIP_MAX_TOPIC = 60;
/** Zulip's content limit, in bytes. */
export const ZULIP_MAX_BYTES = 10_000;

/** Reads `zulip://<bot-mail>:<api-key>@<host>[:port]/?stream=…&topic=…`; other keys are ignored, as in shoutrrr. */
export function parseZulipUrl(url: ServiceUrl): ZulipConfig {
  const fix = "write zulip://<bot-mail with @ as %40>:<api-key>@<host>/?stream=<stream>&topic=<topic>";
  if (url.host === "" || url.user === "" || !url.password) {
    throw new NotifyUrlError("the Zulip URL needs the bot's e-mail, its API key and a host", fix);
  }
  const stream = url.query.get("stream") ?? "";
  if (stream === "") throw new NotifyUrlError("the Zulip URL names no stream", fix);
  const topic = url.query.get("topic") || undefined;
  if (topic && [...topic].length > ZULIP_MAX_TOPIC) {
    throw new NotifyUrlError(`the Zulip topic is longer than ${ZULIP_MAX_TOPIC} characters`, "shorten topic=");
  }
  return { host: hostPort(url), botMail: url.user, botKey: url.password, stream, ...(topic ? { topic } : {}) };
}

/** The message POST, with the bot's credentials as Basic auth. */
export function zulipRequest(config: ZulipConfig, message: string): HttpRequest {
  const fields: [string, string][] = [
    ["type", "stream"],
    ["to", config.stream],
    ["content", message],
  ];
  if (config.topic) fields.push(["topic", config.topic]);
  return postForm(`https://${config.host}/api/v1/messages`, fields, {
    Authorization: basicAuth(config.botMail, config.botKey),
  });
}

/** Zulip streams. */
export const zulipService: NotifyService = {
  name: "zulip",
  schemes: ["zulip"],
  parse(url) {
    const config = parseZulipUrl(url);
    return {
      service: "zulip",
      display: displayUrl("zulip", config.host),
      secrets: secretsOf(config.botKey),
      async deliver(message, ctx) {
        if (Buffer.byteLength(message, "utf8") > ZULIP_MAX_BYTES) {
          throw new DeliveryError(`the message is longer than Zulip's ${ZULIP_MAX_BYTES} bytes`);
        }
        await sendAll([zulipRequest(config, message)], ctx, expectStatus(200));
      },
    };
  },
};
