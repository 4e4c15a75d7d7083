import type { HttpRequest, HttpResponse } from "../http-request.js";
import { postJson } from "../http-request.js";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import {
  DeliveryError,
  bodyHint,
  displayUrl,
  messageLines,
  secretsOf,
  type NotifyService,
  type ServiceOptions,
} from "./service.js";

/** A Slack URL, read. */
export interface SlackConfig {
  /** `hook` for a webhook, else the API token type (`xoxb`, `xoxp`, …) */
  readonly tokenType: string;
  readonly parts: readonly [string, string, string];
  /** "webhook" for webhooks (no channel in the payload unless --slack-channel), else the channel id */
  readonly channel: string;
  readonly botName?: string;
  readonly icon?: string;
  readonly color?: string;
  readonly title?: string;
  readonly threadTs?: string;
}

const KEYS = ["botname", "username", "icon", "icon_emoji", "icon_url", "color", "title", "thread_ts"];

/** Token grammar: optional type, three parts with the same separator (`-`, `/` or `,`). */
const TOKEN = /^(?:(xox.|hook)[-:]|:)?([A-Z0-9]{9,})([-/,])([A-Z0-9]{9,})\3([A-Za-z0-9]{24,})$/;

const FIX =
  "use slack://hook:<A>-<B>-<C>@webhook for a webhook (https://hooks.slack.com/services/<A>/<B>/<C>), or slack://xoxb:<token>@<channel-id> for a bot token";

/** Reads a `slack://` URL (webhook, API token or kured's legacy `slack://A/B/C` form). */
export function parseSlackUrl(url: ServiceUrl, options: ServiceOptions): SlackConfig {
  url.query.rejectUnknown("slack", KEYS);
  let token: string;
  let channel: string;
  let botName: string | undefined;
  if (url.path.length > 1) {
    // The legacy form kured writes for --slack-hook-url: the token is host + path.
    token = url.host + url.path;
    channel = "webhook";
    botName = url.user || undefined;
  } else {
    token = url.password === undefined ? url.user : `${url.user}:${url.password}`;
    channel = url.host;
  }
  const m = TOKEN.exec(token);
  if (!m) throw new NotifyUrlError("the Slack token has an invalid format", FIX);
  const tokenType = m[1] ?? "hook";
  if (tokenType !== "hook" && (channel === "" || channel === "webhook")) {
    throw new NotifyUrlError("a Slack API token needs a channel", "write slack://xoxb:<token>@<channel-id>");
  }
  const isWebhook = tokenType === "hook";
  botName = url.query.get("botname", "username") ?? botName;
  if (botName === undefined || botName === "") botName = options.slackUsername || undefined;
  if (isWebhook && options.slackChannel !== "") channel = options.slackChannel;
  const icon = url.query.get("icon", "icon_emoji", "icon_url");
  const color = url.query.get("color");
  const title = url.query.get("title");
  const threadTs = url.query.get("thread_ts");
  return {
    tokenType,
    parts: [m[2] as string, m[4] as string, m[5] as string],
    channel,
    ...(botName ? { botName } : {}),
    ...(icon ? { icon } : {}),
    ...(color ? { color } : {}),
    ...(title ? { title } : {}),
    ...(threadTs ? { threadTs } : {}),
  };
}

/** Slack limits a message to 100 attachments; later lines join the last one. */
const MAX_ATTACHMENTS = 100;

/** The JSON payload: one attachment per line, the title as `text`. */
export function slackPayload(config: SlackConfig, message: string): Record<string, unknown> {
  const lines = messageLines(message);
  const texts = lines.slice(0, MAX_ATTACHMENTS);
  if (lines.length > MAX_ATTACHMENTS) {
    texts[MAX_ATTACHMENTS - 1] = [texts[MAX_ATTACHMENTS - 1], ...lines.slice(MAX_ATTACHMENTS)].join("\n");
  }
  const payload: Record<string, unknown> = {
    text: config.title ?? "",
    attachments: texts.map((text) => ({ text, ...(config.color ? { color: config.color } : {}) })),
  };
  if (config.botName) payload.username = config.botName;
  if (config.threadTs) payload.thread_ts = config.threadTs;
  if (config.channel !== "webhook") payload.channel = config.channel;
  if (config.icon) {
    if (/^https?:\/\//i.test(config.icon)) payload.icon_url = config.icon;
    else payload.icon_emoji = config.icon;
  }
  return payload;
}

/** The request: a webhook POST, or `chat.postMessage` with the token as a bearer. */
export function slackRequest(config: SlackConfig, message: string): HttpRequest {
  const [a, b, c] = config.parts;
  const payload = slackPayload(config, message);
  if (config.tokenType === "hook") return postJson(`https://hooks.slack.com/services/${a}/${b}/${c}`, payload);
  return postJson("https://slack.com/api/chat.postMessage", payload, {
    Authorization: `Bearer ${config.tokenType}-${a}-${b}-${c}`,
  });
}

/** Webhooks answer `ok` (or nothing with 200); the API answers JSON with `ok`. */
export function checkSlackResponse(config: SlackConfig, r: HttpResponse): string | undefined {
  if (config.tokenType === "hook") {
    const body = r.text.trim();
    if (body === "ok" || (body === "" && r.status === 200)) return undefined;
    return `webhook answered ${r.status}${bodyHint(r.text)}`;
  }
  if (r.status >= 400) return `API answered ${r.status}${bodyHint(r.text)}`;
  try {
    const answer = JSON.parse(r.text) as { ok?: boolean; error?: string };
    return answer.ok === true ? undefined : `API refused: ${answer.error ?? "unknown error"}`;
  } catch {
    return `API answered ${r.status} with a body that is not JSON`;
  }
}

/** Slack: webhooks and bot tokens. */
export const slackService: NotifyService = {
  name: "slack",
  schemes: ["slack"],
  parse(url, options) {
    const config = parseSlackUrl(url, options);
    const isApi = config.tokenType !== "hook";
    return {
      service: "slack",
      display: isApi ? `slack://…@${config.channel}` : displayUrl("slack"),
      secrets: secretsOf(...config.parts, `${config.parts.join("-")}`, `${config.parts.join("/")}`),
      async deliver(message, ctx) {
        const response = await ctx.http(slackRequest(config, message));
        const problem = checkSlackResponse(config, response);
        if (problem !== undefined) throw new DeliveryError(problem);
      },
    };
  },
};
