import { describe, expect, it } from "vitest";
import { jsonOf, recordRequests } from "../__fixtures__/record-requests.js";
import { parseNotifyUrl } from "../notify-targets.js";
import { parseServiceUrl } from "../service-url.js";
import { discordRequests, parseDiscordUrl } from "./discord.js";
import { headerName } from "./generic.js";
import { parseSlackUrl, slackPayload } from "./slack.js";
import { parseTeamsUrl, teamsRequest } from "./teams.js";
import { parseTelegramUrl, telegramRequests } from "./telegram.js";

const OPTIONS = { slackUsername: "", slackChannel: "" };
const C = "abcdefghijklmnopqrstuvwx";
const lines = (n: number): string => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join("\n");

describe("slack payload", () => {
  const config = parseSlackUrl(parseServiceUrl(`slack://hook:T0000000A-B0000000B-${C}@webhook`), OPTIONS);

  it.each([
    ["one attachment per line", "a\nb", ["a", "b"]],
    ["a final newline adds no attachment", "a\n", ["a"]],
    ["an empty line in the middle is kept", "a\n\nb", ["a", "", "b"]],
  ])("%s", (_name, message, texts) => {
    expect(slackPayload(config, message).attachments).toEqual(texts.map((text) => ({ text })));
  });

  it("joins lines after the 100th into the last attachment", () => {
    const attachments = slackPayload(config, lines(102)).attachments as { text: string }[];
    expect(attachments).toHaveLength(100);
    expect(attachments[99]?.text).toBe("line 100\nline 101\nline 102");
  });

  it.each([
    ["an emoji", "icon=:ghost:", { icon_emoji: ":ghost:" }],
    ["a URL", "icon=https://example.com/i.png", { icon_url: "https://example.com/i.png" }],
    ["a thread", "thread_ts=1234.5678", { thread_ts: "1234.5678" }],
  ])("icon and thread: %s", (_name, query, expected) => {
    const c = parseSlackUrl(parseServiceUrl(`slack://hook:T0000000A-B0000000B-${C}@webhook?${query}`), OPTIONS);
    expect(slackPayload(c, "m")).toMatchObject(expected);
  });

  it.each([
    ["dashes", `slack://hook:T0000000A-B0000000B-${C}@webhook`],
    ["commas", `slack://hook:T0000000A,B0000000B,${C}@webhook`],
    ["the hook- prefix in the user name", `slack://hook-T0000000A-B0000000B-${C}@webhook`],
    ["an xoxp user token", `slack://xoxp:123456789-987654321-${C}@C0FFEE123`],
  ])("accepts a token with %s", (_name, url) => {
    expect(() => parseNotifyUrl(url, OPTIONS)).not.toThrow();
  });
});

describe("discord embeds", () => {
  const config = parseDiscordUrl(parseServiceUrl("discord://tok@123?title=T"));

  it("sends at most 10 embeds per request; the title only on the first", () => {
    const requests = discordRequests(config, lines(12));
    expect(requests).toHaveLength(2);
    const first = jsonOf(requests[0]).embeds as Record<string, unknown>[];
    const second = jsonOf(requests[1]).embeds as Record<string, unknown>[];
    expect(first).toHaveLength(10);
    expect(second).toHaveLength(2);
    expect(first[0]).toHaveProperty("title", "T");
    expect(second[0]).not.toHaveProperty("title");
  });

  it("skips empty lines and cuts a line longer than 2000 characters", () => {
    const [request] = discordRequests(config, `a\n\n${"x".repeat(2500)}`);
    const embeds = jsonOf(request).embeds as { description: string }[];
    expect(embeds.map((e) => e.description.length)).toEqual([1, 2000]);
    expect(embeds[1]?.description.endsWith(" [...]")).toBe(true);
  });

  it("posts the message itself with /raw", () => {
    const [request] = discordRequests(parseDiscordUrl(parseServiceUrl("discord://tok@123/raw")), '{"content":"x"}');
    expect(request?.body).toBe('{"content":"x"}');
  });
});

describe("telegram text", () => {
  it.each([
    ["plain", "", "a <b>", { text: "a <b>" }],
    [
      "a title switches to HTML and escapes the message",
      "&title=Kured%20%26%20co",
      "a <b>",
      { text: "<b>Kured &amp; co</b>\na &lt;b&gt;", parse_mode: "HTML" },
    ],
    [
      "explicit HTML, no title: no empty <b></b>",
      "&parsemode=html",
      "<i>a</i>",
      { text: "<i>a</i>", parse_mode: "HTML" },
    ],
    ["Markdown keeps the message", "&parsemode=markdown&title=T", "*a*", { text: "*a*", parse_mode: "Markdown" }],
  ])("%s", (_name, query, message, expected) => {
    const config = parseTelegramUrl(parseServiceUrl(`telegram://1:abc@telegram?chats=1${query}`));
    expect(jsonOf(telegramRequests(config, message)[0])).toMatchObject(expected);
  });
});

describe("teams URL forms", () => {
  const group = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
  const tenant = "11111111-2222-4333-8444-555555555555";
  const alt = "0123456789abcdef0123456789abcdef";
  const owner = "66666666-7777-4888-9999-000000000000";
  const expected = `/${group}@${tenant}/IncomingWebhook/${alt}/${owner}`;

  it.each([
    [
      "path form, default host (webhook/)",
      `teams://${group}@${tenant}/${alt}/${owner}`,
      `https://outlook.office.com/webhook${expected}`,
    ],
    [
      "legacy form with a password",
      `teams://${group}%40${tenant}:${alt}@${owner}`,
      `https://outlook.office.com/webhook${expected}`,
    ],
    [
      "custom teams+https",
      `teams+https://org.webhook.office.com/webhookb2${expected}`,
      `https://org.webhook.office.com/webhookb2${expected}`,
    ],
  ])("%s", (_name, url, target) => {
    expect(teamsRequest(parseTeamsUrl(parseServiceUrl(url)), "m").url).toBe(target);
  });

  it("summarises a long first line in 21 characters", () => {
    const request = teamsRequest(
      parseTeamsUrl(parseServiceUrl(`teams://${group}@${tenant}/${alt}/${owner}`)),
      "x".repeat(40),
    );
    expect(jsonOf(request).summary).toBe("x".repeat(21));
  });
});

describe("generic", () => {
  it.each([
    ["authorization", "Authorization"],
    ["acceptLanguage", "Accept-Language"],
    ["x-custom-header", "X-Custom-Header"],
    ["XApiKey", "X-Api-Key"],
    ["X-Api-Key", "X-Api-Key"],
  ])("header @%s is sent as %s", (key, name) => {
    expect(headerName(key)).toBe(name);
  });

  it("sends no body with GET and keeps forwarded keys in order", async () => {
    const target = parseNotifyUrl("generic+http://h.example.com/p?method=get&b=2&a=1", OPTIONS);
    const [request] = await recordRequests(target, "m");
    expect(request).toMatchObject({ method: "GET", url: "http://h.example.com/p?b=2&a=1" });
    expect(request).not.toHaveProperty("body");
  });

  it("uses http with disabletls=yes and the message key asked for", async () => {
    const target = parseNotifyUrl(
      "generic://h.example.com:8080/p?disabletls=yes&template=json&messagekey=text",
      OPTIONS,
    );
    const [request] = await recordRequests(target, "m");
    expect(request?.url).toBe("http://h.example.com:8080/p");
    expect(jsonOf(request)).toEqual({ text: "m" });
  });
});

describe("ntfy defaults", () => {
  it("posts to ntfy.sh over https with the Default priority and no auth", async () => {
    const [request] = await recordRequests(parseNotifyUrl("ntfy:///kured-alerts", OPTIONS), "m");
    expect(request).toMatchObject({ method: "POST", url: "https://ntfy.sh/kured-alerts", body: "m" });
    expect(request?.headers).toMatchObject({ Priority: "Default" });
    expect(request?.headers).not.toHaveProperty("Authorization");
  });
});
