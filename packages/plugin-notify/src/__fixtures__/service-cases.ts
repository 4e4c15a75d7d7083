/**
 * Every service's documented request (shoutrrr.md §2), as test cases: a URL, the request(s) it
 * must produce for the message "Rebooting node node-1", and what the far end answers.
 */

/** A request as documented: the real URL, a subset of headers, and the body. */
export interface ExpectedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly form?: Readonly<Record<string, string>>;
  readonly text?: string;
}

/** How the far end answers a request (by its path). */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
}

/** One service case. */
export interface ServiceCase {
  readonly name: string;
  readonly url: string;
  readonly expected: readonly ExpectedRequest[];
  readonly reply: (path: string) => Reply;
  /** every secret in the URL: must never be logged */
  readonly secrets: readonly string[];
}

/** The message every case sends. */
export const MESSAGE = "Rebooting node node-1";

const ok200: Reply = { status: 200, body: {} };
const b64 = (s: string): string => Buffer.from(s).toString("base64");

const SLACK_C = "abcdefghijklmnopqrstuvwx";
const TEAMS_GROUP = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
const TEAMS_TENANT = "11111111-2222-4333-8444-555555555555";
const TEAMS_ALT = "0123456789abcdef0123456789abcdef";
const TEAMS_OWNER = "66666666-7777-4888-9999-000000000000";
const WORKFLOW =
  "https://prod-01.westeurope.logic.azure.com/workflows/wf0123456789/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SIGsecret0123456789";
const PUSHBULLET = "o.ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/** The cases, one or more per service. */
export const SERVICE_CASES: readonly ServiceCase[] = [
  {
    name: "slack webhook (hook token)",
    url: `slack://hook:T0000000A-B0000000B-${SLACK_C}@webhook`,
    expected: [
      {
        method: "POST",
        url: `https://hooks.slack.com/services/T0000000A/B0000000B/${SLACK_C}`,
        headers: { "content-type": "application/json" },
        json: { text: "", username: "kured", attachments: [{ text: MESSAGE }] },
      },
    ],
    reply: () => ({ status: 200, body: "ok" }),
    secrets: [SLACK_C],
  },
  {
    name: "slack legacy form (what --slack-hook-url becomes), user name as bot name",
    url: `slack://kured-bot@T0000000A/B0000000B/${SLACK_C}`,
    expected: [
      {
        method: "POST",
        url: `https://hooks.slack.com/services/T0000000A/B0000000B/${SLACK_C}`,
        json: { text: "", username: "kured-bot", attachments: [{ text: MESSAGE }] },
      },
    ],
    reply: () => ({ status: 200, body: "" }),
    secrets: [SLACK_C],
  },
  {
    name: "slack bot token (chat.postMessage)",
    url: `slack://xoxb:123456789-987654321-${SLACK_C}@C001CH4NN3L?botname=kured-bot&color=good&title=Reboots&icon=:robot_face:`,
    expected: [
      {
        method: "POST",
        url: "https://slack.com/api/chat.postMessage",
        headers: { "content-type": "application/json", authorization: `Bearer xoxb-123456789-987654321-${SLACK_C}` },
        json: {
          text: "Reboots",
          username: "kured-bot",
          channel: "C001CH4NN3L",
          icon_emoji: ":robot_face:",
          attachments: [{ text: MESSAGE, color: "good" }],
        },
      },
    ],
    reply: () => ({ status: 200, body: { ok: true } }),
    secrets: [SLACK_C],
  },
  {
    name: "teams connector webhook (v0.8 MessageCard)",
    url: `teams://${TEAMS_GROUP}@${TEAMS_TENANT}/${TEAMS_ALT}/${TEAMS_OWNER}?host=example.webhook.office.com&title=Kured&color=ff0000`,
    expected: [
      {
        method: "POST",
        url: `https://example.webhook.office.com/webhookb2/${TEAMS_GROUP}@${TEAMS_TENANT}/IncomingWebhook/${TEAMS_ALT}/${TEAMS_OWNER}`,
        headers: { "content-type": "application/json" },
        json: {
          "@type": "MessageCard",
          "@context": "http://schema.org/extensions",
          markdown: true,
          title: "Kured",
          summary: "Kured",
          themeColor: "ff0000",
          sections: [{ text: MESSAGE, startGroup: false }],
        },
      },
    ],
    reply: () => ok200,
    secrets: [TEAMS_ALT, TEAMS_GROUP, TEAMS_OWNER],
  },
  {
    name: "teams workflow webhook (Adaptive Card)",
    url: `teams://?host=${encodeURIComponent(WORKFLOW)}&title=Kured&color=red`,
    expected: [
      {
        method: "POST",
        url: WORKFLOW,
        json: {
          type: "message",
          attachments: [
            {
              contentType: "application/vnd.microsoft.card.adaptive",
              contentUrl: null,
              content: {
                $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
                type: "AdaptiveCard",
                version: "1.2",
                body: [
                  { type: "TextBlock", text: "Kured", weight: "Bolder", size: "Medium", color: "attention" },
                  { type: "TextBlock", text: MESSAGE, wrap: true },
                ],
              },
            },
          ],
        },
      },
    ],
    reply: () => ({ status: 202, body: "" }),
    secrets: ["SIGsecret0123456789"],
  },
  {
    name: "discord webhook",
    url: "discord://tokenABCDEFGHIJ1234567890@123456789012345678?username=kured&color=0x50D9ff&title=Kured",
    expected: [
      {
        method: "POST",
        url: "https://discord.com/api/webhooks/123456789012345678/tokenABCDEFGHIJ1234567890",
        headers: { "content-type": "application/json" },
        json: { embeds: [{ title: "Kured", description: MESSAGE, color: 5298687 }], username: "kured" },
      },
    ],
    reply: () => ({ status: 204 }),
    secrets: ["tokenABCDEFGHIJ1234567890"],
  },
  {
    name: "telegram bot, two chats (one a forum topic)",
    url: "telegram://123456789:AAbbCCddEEffGGhh_ii-JJ@telegram?chats=@kuredchan,-1001234567890:42&notification=no",
    expected: [
      {
        method: "POST",
        url: "https://api.telegram.org/bot123456789:AAbbCCddEEffGGhh_ii-JJ/sendMessage",
        headers: { "content-type": "application/json" },
        json: {
          text: MESSAGE,
          chat_id: "@kuredchan",
          disable_web_page_preview: false,
          disable_notification: true,
          reply_to_message_id: 0,
        },
      },
      {
        method: "POST",
        url: "https://api.telegram.org/bot123456789:AAbbCCddEEffGGhh_ii-JJ/sendMessage",
        json: {
          text: MESSAGE,
          chat_id: "-1001234567890",
          message_thread_id: 42,
          disable_web_page_preview: false,
          disable_notification: true,
          reply_to_message_id: 0,
        },
      },
    ],
    reply: () => ({ status: 200, body: { ok: true, result: {} } }),
    secrets: ["AAbbCCddEEffGGhh_ii-JJ"],
  },
  {
    name: "mattermost webhook",
    url: "mattermost://kured@chat.example.com:8065/mmtoken1234567890abcd/ops?icon=:robot:",
    expected: [
      {
        method: "POST",
        url: "https://chat.example.com:8065/hooks/mmtoken1234567890abcd",
        headers: { "content-type": "application/json" },
        json: { text: MESSAGE, username: "kured", channel: "ops", icon_emoji: ":robot:" },
      },
    ],
    reply: () => ok200,
    secrets: ["mmtoken1234567890abcd"],
  },
  {
    name: "rocketchat webhook, channel as fragment",
    url: "rocketchat://kured@rocket.example.com/tokenAAAA1111/tokenBBBB2222/#ops",
    expected: [
      {
        method: "POST",
        url: "https://rocket.example.com/hooks/tokenAAAA1111/tokenBBBB2222",
        headers: { "content-type": "application/json" },
        json: { text: MESSAGE, username: "kured", channel: "#ops" },
      },
    ],
    reply: () => ok200,
    secrets: ["tokenAAAA1111", "tokenBBBB2222"],
  },
  {
    name: "googlechat webhook",
    url: "googlechat://chat.googleapis.com/v1/spaces/AAAAspace/messages?key=KEYsecret123&token=TOKENsecret456",
    expected: [
      {
        method: "POST",
        url: "https://chat.googleapis.com/v1/spaces/AAAAspace/messages?key=KEYsecret123&token=TOKENsecret456",
        headers: { "content-type": "application/json" },
        json: { text: MESSAGE },
      },
    ],
    reply: () => ok200,
    secrets: ["KEYsecret123", "TOKENsecret456"],
  },
  {
    name: "hangouts (alias of googlechat)",
    url: "hangouts://chat.googleapis.com/v1/spaces/AAAAspace/messages?key=KEYsecret123&token=TOKENsecret456",
    expected: [
      {
        method: "POST",
        url: "https://chat.googleapis.com/v1/spaces/AAAAspace/messages?key=KEYsecret123&token=TOKENsecret456",
        json: { text: MESSAGE },
      },
    ],
    reply: () => ok200,
    secrets: ["KEYsecret123", "TOKENsecret456"],
  },
  {
    name: "gotify with a sub-path",
    url: "gotify://gotify.example.com/sub/Aabcdefghijklmn?title=Kured&priority=5",
    expected: [
      {
        method: "POST",
        url: "https://gotify.example.com/sub/message?token=Aabcdefghijklmn",
        headers: { "content-type": "application/json" },
        json: { message: MESSAGE, title: "Kured", priority: 5 },
      },
    ],
    reply: () => ok200,
    secrets: ["Aabcdefghijklmn"],
  },
  {
    name: "ntfy with basic auth",
    url: "ntfy://kuser:ntfypass123@ntfy.example.com/kured-topic-xyz?title=Kured&priority=high&tags=warning,computer",
    expected: [
      {
        method: "POST",
        url: "https://ntfy.example.com/kured-topic-xyz",
        headers: {
          title: "Kured",
          priority: "High",
          tags: "warning,computer",
          authorization: `Basic ${b64("kuser:ntfypass123")}`,
        },
        text: MESSAGE,
      },
    ],
    reply: () => ok200,
    secrets: ["ntfypass123", "kured-topic-xyz"],
  },
  {
    name: "pushover",
    url: "pushover://shoutrrr:apitokenPUSHOVER123@userkeyPUSHOVER456/?devices=phone,tablet&title=Kured&priority=1",
    expected: [
      {
        method: "POST",
        url: "https://api.pushover.net/1/messages.json",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        form: {
          device: "phone,tablet",
          user: "userkeyPUSHOVER456",
          token: "apitokenPUSHOVER123",
          message: MESSAGE,
          title: "Kured",
          priority: "1",
        },
      },
    ],
    reply: () => ok200,
    secrets: ["apitokenPUSHOVER123", "userkeyPUSHOVER456"],
  },
  {
    name: "pushbullet to a device, a channel and an e-mail address",
    url: `pushbullet://${PUSHBULLET}/device1/#kuredchan/ops@example.com`,
    expected: [
      ["", "", "device1"],
      ["", "kuredchan", ""],
      ["ops@example.com", "", ""],
    ].map(([email, channel_tag, device_iden]) => ({
      method: "POST",
      url: "https://api.pushbullet.com/v2/pushes",
      headers: { "access-token": PUSHBULLET, "content-type": "application/json" },
      json: { type: "note", title: "Shoutrrr notification", body: MESSAGE, email, channel_tag, device_iden },
    })),
    reply: () => ok200,
    secrets: [PUSHBULLET],
  },
  {
    name: "matrix with a password login and a room alias",
    url: "matrix://kuser:matrixpass123@matrix.example.com/?rooms=%23ops:example.com",
    expected: [
      {
        method: "POST",
        url: "https://matrix.example.com/_matrix/client/r0/login",
        json: { type: "m.login.password", identifier: { type: "m.id.user", user: "kuser" }, password: "matrixpass123" },
      },
      {
        method: "POST",
        url: "https://matrix.example.com/_matrix/client/r0/join/%23ops%3Aexample.com",
        headers: { authorization: "Bearer syt_access_token_123" },
        json: {},
      },
      {
        method: "POST",
        url: "https://matrix.example.com/_matrix/client/r0/rooms/!room123%3Aexample.com/send/m.room.message",
        headers: { authorization: "Bearer syt_access_token_123" },
        json: { msgtype: "m.text", body: MESSAGE },
      },
    ],
    reply: (path) =>
      path.endsWith("/login")
        ? { status: 200, body: { access_token: "syt_access_token_123" } }
        : path.includes("/join/")
          ? { status: 200, body: { room_id: "!room123:example.com" } }
          : { status: 200, body: { event_id: "$e" } },
    secrets: ["matrixpass123", "syt_access_token_123"],
  },
  {
    name: "opsgenie with responders, tags, details and priority",
    url: "opsgenie://api.opsgenie.com/genieKEY12345?responders=team:ops,user:someone@example.com&tags=kured,reboot&priority=P3&details=cluster:prod",
    expected: [
      {
        method: "POST",
        url: "https://api.opsgenie.com:443/v2/alerts",
        headers: { authorization: "GenieKey genieKEY12345", "content-type": "application/json" },
        json: {
          message: MESSAGE,
          priority: "P3",
          responders: [
            { type: "team", name: "ops" },
            { type: "user", username: "someone@example.com" },
          ],
          tags: ["kured", "reboot"],
          details: { cluster: "prod" },
        },
      },
    ],
    reply: () => ({ status: 202, body: { result: "Request will be processed" } }),
    secrets: ["genieKEY12345"],
  },
  {
    name: "zulip stream message",
    url: "zulip://kured-bot%40example.zulipchat.com:zulipKEY123456@example.zulipchat.com/?stream=ops&topic=reboots",
    expected: [
      {
        method: "POST",
        url: "https://example.zulipchat.com/api/v1/messages",
        headers: {
          authorization: `Basic ${b64("kured-bot@example.zulipchat.com:zulipKEY123456")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        form: { type: "stream", to: "ops", content: MESSAGE, topic: "reboots" },
      },
    ],
    reply: () => ok200,
    secrets: ["zulipKEY123456"],
  },
  {
    name: "ifttt, two events",
    url: "ifttt://iftttKEY123456/?events=reboot,kured&value1=cluster",
    expected: ["reboot", "kured"].map((event) => ({
      method: "POST",
      url: `https://maker.ifttt.com/trigger/${event}/with/key/iftttKEY123456`,
      headers: { "content-type": "application/json" },
      json: { value1: "cluster", value2: MESSAGE, value3: "" },
    })),
    reply: () => ok200,
    secrets: ["iftttKEY123456"],
  },
  {
    name: "join, everything in the query",
    url: "join://shoutrrr:joinAPIKEY123456@join/?devices=dev1,dev2&title=Kured",
    expected: [
      {
        method: "POST",
        url: "https://joinjoaomgcd.appspot.com/_ah/api/messaging/v1/sendPush?deviceIds=dev1%2Cdev2&apikey=joinAPIKEY123456&text=Rebooting+node+node-1&title=Kured",
        headers: { "content-type": "text/plain" },
        text: "",
      },
    ],
    reply: () => ok200,
    secrets: ["joinAPIKEY123456"],
  },
  {
    name: "bark with a sub-path",
    url: "bark://:barkDEVICEkey123@bark.example.com/sub?title=Kured&sound=alarm&badge=2",
    expected: [
      {
        method: "POST",
        url: "https://bark.example.com/sub/push",
        headers: { "content-type": "application/json" },
        json: { body: MESSAGE, device_key: "barkDEVICEkey123", title: "Kured", sound: "alarm", badge: 2 },
      },
    ],
    reply: () => ({ status: 200, body: { code: 200, message: "success" } }),
    secrets: ["barkDEVICEkey123"],
  },
  {
    name: "generic with the JSON template, a header, an extra field and forwarded keys",
    url: "generic://hooks.example.com/api/kured?template=json&@authorization=Bearer%20genericSECRET1&$cluster=prod&__title=forwarded&team=ops",
    expected: [
      {
        method: "POST",
        url: "https://hooks.example.com/api/kured?title=forwarded&team=ops",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          authorization: "Bearer genericSECRET1",
        },
        json: { message: MESSAGE, cluster: "prod" },
      },
    ],
    reply: () => ok200,
    secrets: ["genericSECRET1"],
  },
  {
    name: "generic+https with credentials, method and content type",
    url: "generic+https://hookuser:genpass12345@hooks.example.com/raw?method=PUT&contenttype=text/plain",
    expected: [
      {
        method: "PUT",
        url: "https://hooks.example.com/raw",
        headers: { "content-type": "text/plain", authorization: `Basic ${b64("hookuser:genpass12345")}` },
        text: MESSAGE,
      },
    ],
    reply: () => ok200,
    secrets: ["genpass12345"],
  },
];
