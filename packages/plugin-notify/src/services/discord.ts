import type { HttpRequest } from "../http-request.js";
import { postJson } from "../http-request.js";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import { displayUrl, expectStatus, secretsOf, sendAll, type NotifyService } from "./service.js";

/** A Discord webhook URL, read. */
export interface DiscordConfig {
  readonly webhookId: string;
  readonly token: string;
  readonly title?: string;
  readonly username?: string;
  readonly avatarUrl?: string;
  /** embed colour as a number (shoutrrr's `color`, hex in the URL) */
  readonly color: number;
  readonly splitLines: boolean;
  /** post the message itself as the JSON body */
  readonly json: boolean;
}

const KEYS = [
  "title",
  "username",
  "avatar",
  "avatarurl",
  "color",
  "colorerror",
  "colorwarn",
  "colorinfo",
  "colordebug",
  "splitlines",
  "json",
];

function hexColor(url: ServiceUrl, key: string, fallback: number): number {
  const raw = url.query.get(key);
  if (raw === undefined || raw === "") return fallback;
  const digits = raw.replace(/^0x/i, "");
  if (!/^[0-9a-fA-F]{1,8}$/.test(digits)) {
    throw new NotifyUrlError(`query key "${key}" must be a hex colour`, `write e.g. ${key}=0x50D9ff`);
  }
  return parseInt(digits, 16);
}

/** Reads `discord://<token>@<webhookId>[/raw]`. */
export function parseDiscordUrl(url: ServiceUrl): DiscordConfig {
  url.query.rejectUnknown("discord", KEYS);
  const fix = "take https://discord.com/api/webhooks/<id>/<token> and write discord://<token>@<id>";
  if (url.user === "" || url.host === "")
    throw new NotifyUrlError("the Discord URL needs a token and a webhook id", fix);
  if (url.path !== "" && url.path !== "/" && url.path !== "/raw") {
    throw new NotifyUrlError("the Discord URL has an unexpected path", `${fix} (only /raw may follow)`);
  }
  // The other level colours are accepted for shoutrrr compatibility; kured's messages have no level.
  for (const key of ["colorerror", "colorwarn", "colorinfo", "colordebug"]) hexColor(url, key, 0);
  const title = url.query.get("title") || undefined;
  const username = url.query.get("username") || undefined;
  const avatarUrl = url.query.get("avatar", "avatarurl") || undefined;
  return {
    webhookId: url.host,
    token: url.user,
    color: hexColor(url, "color", 0x50d9ff),
    splitLines: url.query.bool("splitlines", true),
    json: url.path === "/raw" || url.query.bool("json", false),
    ...(title ? { title } : {}),
    ...(username ? { username } : {}),
    ...(avatarUrl ? { avatarUrl } : {}),
  };
}

const MAX_EMBEDS = 10;
const MAX_EMBED_TEXT = 2000;
const MAX_REQUEST_TEXT = 6000;
const CUT = " [...]";

/** Cuts text into pieces of at most 2000 characters, preferring a break at a space or newline. */
function chunks(text: string): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > MAX_EMBED_TEXT) {
    let at = MAX_EMBED_TEXT;
    const window = rest.slice(MAX_EMBED_TEXT - 100, MAX_EMBED_TEXT);
    const breakAt = Math.max(window.lastIndexOf(" "), window.lastIndexOf("\n"));
    if (breakAt !== -1) at = MAX_EMBED_TEXT - 100 + breakAt + 1;
    out.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  if (rest !== "") out.push(rest);
  return out;
}

/** The requests: embeds of at most 10 per request (more lines, more requests). */
export function discordRequests(config: DiscordConfig, message: string): HttpRequest[] {
  const url = `https://discord.com/api/webhooks/${config.webhookId}/${config.token}`;
  if (config.json) return [{ method: "POST", url, headers: { "Content-Type": "application/json" }, body: message }];
  const texts = config.splitLines
    ? message
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => (l.length > MAX_EMBED_TEXT ? l.slice(0, MAX_EMBED_TEXT - CUT.length) + CUT : l))
    : chunks(message);
  const batches: string[][] = [];
  let batch: string[] = [];
  let size = 0;
  for (const text of texts) {
    if (batch.length === MAX_EMBEDS || (!config.splitLines && size + text.length > MAX_REQUEST_TEXT)) {
      batches.push(batch);
      batch = [];
      size = 0;
    }
    batch.push(text);
    size += text.length;
  }
  if (batch.length > 0) batches.push(batch);
  return batches.map((group, i) =>
    postJson(url, {
      embeds: group.map((description, j) => ({
        ...(i === 0 && j === 0 && config.title ? { title: config.title } : {}),
        description,
        color: config.color,
      })),
      ...(config.username ? { username: config.username } : {}),
      ...(config.avatarUrl ? { avatar_url: config.avatarUrl } : {}),
    }),
  );
}

/** Discord webhooks. */
export const discordService: NotifyService = {
  name: "discord",
  schemes: ["discord"],
  parse(url) {
    const config = parseDiscordUrl(url);
    return {
      service: "discord",
      display: displayUrl("discord"),
      secrets: secretsOf(config.token, config.webhookId),
      // Discord answers 204 (or 200 with ?wait=true); shoutrrr v0.8 accepted 204 only.
      deliver: (message, ctx) => sendAll(discordRequests(config, message), ctx, expectStatus(204, 200)),
    };
  },
};
