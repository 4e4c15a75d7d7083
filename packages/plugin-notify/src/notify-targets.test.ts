import { describe, expect, it } from "vitest";
import { jsonOf, recordRequests } from "./__fixtures__/record-requests.js";
import { planNotifyUrls, type NotifyUrlSettings } from "./notify-targets.js";

const SECRET = "SECRETabcdefghijklmnopqrstu";
const base: NotifyUrlSettings = { notifyUrl: [], slackHookUrl: "", slackUsername: "kured", slackChannel: "" };

describe("a URL that cannot work is refused at start-up, naming the problem and the fix", () => {
  it.each([
    [
      "a plain https URL (kured #1149)",
      `https://hooks.example.com/x?token=${SECRET}`,
      'unknown service "https"',
      "generic+https://",
    ],
    ["an unknown scheme", `mastodon://${SECRET}@example.social`, 'unknown service "mastodon"', "slack://"],
    ["not a URL", `just-${SECRET}`, "no scheme", "slack://hook:"],
    [
      "a Slack token of the wrong shape",
      `slack://hook:short-B0000000B-${SECRET}@webhook`,
      "Slack token has an invalid format",
      "slack://hook:<A>-<B>-<C>@webhook",
    ],
    [
      "Slack separators that differ",
      `slack://hook:T0000000A-B0000000B,${SECRET}@webhook`,
      "invalid format",
      "slack://",
    ],
    [
      "a Slack API token without channel",
      `slack://xoxb:123456789-987654321-${SECRET}@webhook`,
      "needs a channel",
      "@<channel-id>",
    ],
    [
      "an unknown query key",
      `discord://${SECRET}@123456?colour=red`,
      '"colour" is not a query key of discord URLs',
      "use only: title",
    ],
    [
      "two unknown query keys",
      `gotify://host/Aabcdefghijklmn?foo=1&bar=2`,
      '"foo", "bar" are not query keys',
      "use only",
    ],
    [
      "a bad yes/no value",
      `discord://${SECRET}@123456?splitlines=maybe`,
      '"splitlines" must be yes or no',
      "splitlines=yes",
    ],
    ["a bad Discord path", `discord://${SECRET}@123456/cooked`, "unexpected path", "/raw"],
    [
      "a Telegram token of the wrong shape",
      `telegram://abc:${SECRET}@telegram?chats=1`,
      "bot token has an invalid format",
      "telegram://<bot-id>:<bot-secret>",
    ],
    ["a Telegram URL without chats", `telegram://123:${SECRET}@telegram`, "names no chat", "chats="],
    [
      "a Telegram parse mode that does not exist",
      `telegram://123:${SECRET}@telegram?chats=1&parsemode=bbcode`,
      '"parsemode" has an unknown value',
      "HTML",
    ],
    [
      "Teams ids that are not UUIDs",
      `teams://group@tenant/${SECRET}/owner?host=x.webhook.office.com`,
      "invalid group, tenant, altId, groupOwner",
      "teams://",
    ],
    [
      "a Teams workflow URL that is not a workflow",
      `teams://?host=${encodeURIComponent(`https://evil.example.com/x?sig=${SECRET}`)}`,
      "not a Power Automate workflow URL",
      "workflows",
    ],
    [
      "a Gotify token of the wrong shape",
      `gotify://gotify.example.com/${SECRET}`,
      "application token",
      "gotify://host",
    ],
    ["a Pushbullet token of the wrong length", `pushbullet://${SECRET}`, "34 characters", "pushbullet://"],
    ["an SMTP URL without sender", `smtp://u:${SECRET}@mail.example.com/?to=a@b.c`, "no sender", "from="],
    ["an SMTP URL without recipient", `smtp://u:${SECRET}@mail.example.com/?from=a@b.c`, "no recipient", "to="],
    [
      "an SMTP encryption that does not exist",
      `smtp://mail.example.com/?from=a@b.c&to=d@e.f&encryption=ssl3`,
      '"encryption" has an unknown value',
      "ExplicitTLS",
    ],
    [
      "a generic template that cannot be loaded",
      `generic://hooks.example.com/${SECRET}?template=fancy`,
      'template "fancy"',
      "template=json",
    ],
    [
      "a Zulip URL without stream",
      `zulip://bot%40x.zulipchat.com:${SECRET}@x.zulipchat.com/`,
      "names no stream",
      "stream=",
    ],
    ["an IFTTT URL without events", `ifttt://${SECRET}/`, "names no event", "events="],
    [
      "an OpsGenie priority that does not exist",
      `opsgenie://api.opsgenie.com/${SECRET}?priority=P9`,
      "P1 to P5",
      "priority=P3",
    ],
    ["a Matrix URL without credentials", "matrix://matrix.example.com/", "password or access token", "matrix://"],
    [
      "a Google Chat URL without token",
      `googlechat://chat.googleapis.com/v1/spaces/S/messages?key=${SECRET}`,
      "a key and a token",
      "googlechat",
    ],
    ["a Join URL without devices", `join://shoutrrr:${SECRET}@join/`, "names no device", "devices="],
    ["an ntfy URL without topic", `ntfy://u:${SECRET}@ntfy.example.com/`, "names no topic", "ntfy://"],
    ["a logger URL with a host", "logger://somewhere", "take no host", "logger://"],
  ])("%s", (_name, url, message, fix) => {
    const plan = planNotifyUrls({ ...base, notifyUrl: [url] });
    expect(plan.entries).toEqual([]);
    expect(plan.problems).toHaveLength(1);
    const [problem] = plan.problems;
    expect(problem?.option).toBe("notifyUrl");
    expect(problem?.message).toContain(message);
    expect(problem?.fix).toContain(fix);
    expect(JSON.stringify(problem)).not.toContain(SECRET);
  });

  it("names which of several URLs is wrong, shown without its secrets", () => {
    const plan = planNotifyUrls({
      ...base,
      notifyUrl: [
        `slack://hook:T0000000A-B0000000B-abcdefghijklmnopqrstuvwx@webhook`,
        `slack://hook:bad-${SECRET}@webhook`,
      ],
    });
    expect(plan.entries).toHaveLength(1);
    expect(plan.problems.map((p) => p.message)).toEqual([
      "URL 2 of 2 (slack://…): the Slack token has an invalid format",
    ]);
  });
});

describe("where notifications go (kured's validateNotificationURL, plus repeatable --notify-url)", () => {
  const hook = "https://hooks.slack.com/services/T0000000A/B0000000B/abcdefghijklmnopqrstuvwx";
  const slackUrl = "slack://hook:T0000000A-B0000000B-abcdefghijklmnopqrstuvwx@webhook";

  it.each([
    ["nothing set: no URL, no warning", [], "", [], []],
    ["one --notify-url", [slackUrl], "", ["notifyUrl"], []],
    ["a quoted --notify-url", [`"${slackUrl}"`], "", ["notifyUrl"], []],
    ["an empty --notify-url is no URL", [""], "", [], []],
    [
      "several --notify-url: each is a target",
      [slackUrl, "logger://", "generic+https://h.example.com/x"],
      "",
      ["notifyUrl", "notifyUrl", "notifyUrl"],
      [],
    ],
    [
      "--slack-hook-url alone: converted, with kured's deprecation warning",
      [],
      hook,
      ["slackHookUrl"],
      ["Deprecated flag(s). Please use --notify-url flag instead."],
    ],
    [
      "a quoted --slack-hook-url",
      [],
      `'${hook}'`,
      ["slackHookUrl"],
      ["Deprecated flag(s). Please use --notify-url flag instead."],
    ],
    [
      "both: --notify-url wins, with kured's warning",
      [slackUrl],
      hook,
      ["notifyUrl"],
      ["Cannot use both --notify-url and --slack-hook-url flags. Kured will only use --notify-url flag"],
    ],
  ] as const)("%s", (_name, notifyUrl, slackHookUrl, options, warnings) => {
    const plan = planNotifyUrls({ ...base, notifyUrl, slackHookUrl });
    expect(plan.problems).toEqual([]);
    expect(plan.entries.map((e) => e.option)).toEqual(options);
    expect(plan.warnings).toEqual(warnings);
  });

  it("refuses a --slack-hook-url that does not convert, on that flag", () => {
    const plan = planNotifyUrls({ ...base, slackHookUrl: "https://hooks.slack.com/services/T0000000A/B0000000B" });
    expect(plan.problems).toEqual([
      expect.objectContaining({ option: "slackHookUrl", message: expect.stringContaining("three parts") as unknown }),
    ]);
  });

  it("refuses a converted --slack-hook-url whose token is not Slack's", () => {
    const plan = planNotifyUrls({ ...base, slackHookUrl: `https://hooks.slack.com/services/a/b/${SECRET}` });
    expect(plan.problems.map((p) => p.option)).toEqual(["slackHookUrl"]);
    expect(JSON.stringify(plan.problems)).not.toContain(SECRET);
  });

  it.each([
    ["flags apply to a webhook", slackUrl, { username: "ops-bot", channel: "#reboots" }],
    ["the URL's botname wins", `${slackUrl}?botname=own`, { username: "own", channel: "#reboots" }],
    [
      "the legacy form's user name wins",
      "slack://legacy@T0000000A/B0000000B/abcdefghijklmnopqrstuvwx",
      { username: "legacy" },
    ],
    [
      "an API URL keeps its own channel",
      "slack://xoxb:123456789-987654321-abcdefghijklmnopqrstuvwx@C0FFEE123",
      { username: "ops-bot", channel: "C0FFEE123" },
    ],
  ])("--slack-username / --slack-channel: %s", async (_name, url, expected) => {
    const withFlags = { ...base, slackUsername: "ops-bot", slackChannel: "#reboots", notifyUrl: [url] };
    const [entry] = planNotifyUrls(withFlags).entries;
    const [request] = await recordRequests(entry!.target, "m", (r) => ({
      status: 200,
      body: r.url.endsWith("chat.postMessage") ? '{"ok":true}' : "ok",
    }));
    expect(jsonOf(request)).toMatchObject(expected);
  });

  it("sends no user name when --slack-username is empty and the URL has none", async () => {
    const [entry] = planNotifyUrls({ ...base, slackUsername: "", notifyUrl: [slackUrl] }).entries;
    const [request] = await recordRequests(entry!.target, "m");
    expect(jsonOf(request)).not.toHaveProperty("username");
    expect(jsonOf(request)).not.toHaveProperty("channel");
  });
});
