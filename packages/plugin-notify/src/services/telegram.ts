import type { HttpRequest, HttpResponse } from "../http-request.js";
import { postJson } from "../http-request.js";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import { DeliveryError, bodyHint, displayUrl, secretsOf, type NotifyService } from "./service.js";

/** Telegram's parse modes; `None` sends plain text. */
export const TELEGRAM_PARSE_MODES = ["None", "Markdown", "HTML", "MarkdownV2"] as const;

/** A Telegram URL, read. */
export interface TelegramConfig {
  readonly token: string;
  readonly chats: readonly string[];
  readonly preview: boolean;
  readonly notification: boolean;
  readonly parseMode: (typeof TELEGRAM_PARSE_MODES)[number];
  readonly title?: string;
}

const KEYS = ["chats", "channels", "preview", "notification", "parsemode", "title"];
const TOKEN = /^[0-9]+:[a-zA-Z0-9_-]+$/;
const FIX =
  "write telegram://<bot-id>:<bot-secret>@telegram?chats=<chat-id>[,<chat-id>…] (the bot token split at its colon)";

/** Reads `telegram://<id>:<secret>@telegram?chats=…`. */
export function parseTelegramUrl(url: ServiceUrl): TelegramConfig {
  url.query.rejectUnknown("telegram", KEYS);
  const token = `${url.user}:${url.password ?? ""}`;
  if (!TOKEN.test(token)) throw new NotifyUrlError("the Telegram bot token has an invalid format", FIX);
  const chats = url.query.list("chats", "channels");
  if (chats.length === 0) throw new NotifyUrlError("the Telegram URL names no chat", FIX);
  const title = url.query.get("title") || undefined;
  return {
    token,
    chats,
    preview: url.query.bool("preview", true),
    notification: url.query.bool("notification", true),
    parseMode: url.query.choice("parsemode", TELEGRAM_PARSE_MODES, "None"),
    ...(title ? { title } : {}),
  };
}

/** Telegram's message limit, in bytes. */
export const TELEGRAM_MAX_BYTES = 4096;

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** One `sendMessage` request per chat. */
export function telegramRequests(config: TelegramConfig, message: string): HttpRequest[] {
  let parseMode: string = config.parseMode;
  let text = message;
  if (config.title) {
    // A title needs markup: plain text switches to HTML (escaping the message), as shoutrrr does.
    if (parseMode === "None") {
      parseMode = "HTML";
      text = escapeHtml(message);
    }
    if (parseMode === "HTML") text = `<b>${escapeHtml(config.title)}</b>\n${text}`;
  }
  return config.chats.map((chat) => {
    const [chatId, thread] = /^-?[0-9]+:[0-9]+$/.test(chat) ? chat.split(":") : [chat, undefined];
    return postJson(`https://api.telegram.org/bot${config.token}/sendMessage`, {
      text,
      chat_id: chatId,
      ...(thread === undefined ? {} : { message_thread_id: Number(thread) }),
      ...(parseMode === "None" ? {} : { parse_mode: parseMode }),
      disable_web_page_preview: !config.preview,
      disable_notification: !config.notification,
      reply_to_message_id: 0,
    });
  });
}

/** Telegram answers `{ok, description}`. */
export function checkTelegramResponse(r: HttpResponse): string | undefined {
  try {
    const answer = JSON.parse(r.text) as { ok?: boolean; description?: string };
    if (r.status < 400 && answer.ok === true) return undefined;
    return `answered ${r.status}: ${answer.description ?? "not ok"}`;
  } catch {
    return `answered ${r.status}${bodyHint(r.text)}`;
  }
}

/** Telegram bots. */
export const telegramService: NotifyService = {
  name: "telegram",
  schemes: ["telegram"],
  parse(url) {
    const config = parseTelegramUrl(url);
    return {
      service: "telegram",
      display: displayUrl("telegram"),
      secrets: secretsOf(config.token, url.password),
      async deliver(message, ctx) {
        if (Buffer.byteLength(message, "utf8") > TELEGRAM_MAX_BYTES) {
          throw new DeliveryError(`the message is longer than Telegram's ${TELEGRAM_MAX_BYTES} bytes`);
        }
        for (const request of telegramRequests(config, message)) {
          const problem = checkTelegramResponse(await ctx.http(request));
          if (problem !== undefined) throw new DeliveryError(problem);
        }
      },
    };
  },
};
