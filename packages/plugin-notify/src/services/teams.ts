import type { HttpRequest } from "../http-request.js";
import { postJson } from "../http-request.js";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import { displayUrl, expectStatus, messageLines, secretsOf, sendAll, type NotifyService } from "./service.js";

/** An Office 365 connector webhook (shoutrrr v0.8's format, MessageCard). */
export interface TeamsConnectorConfig {
  readonly kind: "connector";
  readonly group: string;
  readonly tenant: string;
  readonly altId: string;
  readonly groupOwner: string;
  readonly host: string;
  readonly title?: string;
  readonly color?: string;
}

/** A Power Automate "Workflows" webhook (the maintained fork's format, Adaptive Card). */
export interface TeamsWorkflowConfig {
  readonly kind: "workflow";
  readonly url: string;
  readonly title?: string;
  readonly color?: string;
}

/** A Teams URL, read. */
export type TeamsConfig = TeamsConnectorConfig | TeamsWorkflowConfig;

const UUID_V4 = /^[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-4[A-Fa-f0-9]{3}-[89abAB][A-Fa-f0-9]{3}-[A-Fa-f0-9]{12}$/;
const ALT_ID = /^[A-Za-z0-9]{32}$/;
const DEFAULT_HOST = "outlook.office.com";
const FIX =
  "copy the parts of the webhook URL https://<org>.webhook.office.com/webhookb2/<group>@<tenant>/IncomingWebhook/<altId>/<groupOwner> into teams://<group>@<tenant>/<altId>/<groupOwner>?host=<org>.webhook.office.com, or use teams://?host=<percent-encoded workflow URL>";

function isWorkflowUrl(value: string): boolean {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return false;
  }
  const host = u.hostname.toLowerCase();
  const azure = /\.logic\.azure(\.[a-z]+)?$/.test(host) || host.endsWith(".environment.api.powerplatform.com");
  return u.protocol === "https:" && azure && /\/workflows\//i.test(u.pathname);
}

/** Reads a `teams://` or `teams+https://` URL. */
export function parseTeamsUrl(url: ServiceUrl): TeamsConfig {
  const title = url.query.get("title") || undefined;
  const color = url.query.get("color") || undefined;
  const extras = { ...(title ? { title } : {}), ...(color ? { color } : {}) };
  const hostParam = url.query.get("host") ?? "";
  if (/^https?:\/\//i.test(hostParam)) {
    // The fork's workflow format ignores unknown keys.
    if (!isWorkflowUrl(hostParam)) {
      throw new NotifyUrlError(
        "the workflow URL in ?host= is not a Power Automate workflow URL",
        "use the https://…logic.azure.com/…/workflows/… or …environment.api.powerplatform.com/…/workflows/… URL Teams gave you, percent-encoded",
      );
    }
    return { kind: "workflow", url: hostParam, ...extras };
  }
  url.query.rejectUnknown("teams", ["title", "color", "host"]);
  let group: string, tenant: string, altId: string, groupOwner: string;
  let host = hostParam || DEFAULT_HOST;
  if (url.custom) {
    // teams+https://<host>/webhookb2/<group>@<tenant>/IncomingWebhook/<altId>/<groupOwner>
    const parts = url.custom.pathname
      .split("/")
      .filter((s) => s !== "")
      .map(decodeURIComponent);
    const at = parts.findIndex((p) => p.includes("@"));
    const [gt, marker, a, o] = parts.slice(at);
    if (at === -1 || marker !== "IncomingWebhook" || a === undefined || o === undefined) {
      throw new NotifyUrlError("the Teams webhook URL does not have the expected path", FIX);
    }
    [group, tenant] = (gt as string).split("@") as [string, string];
    altId = a;
    groupOwner = o;
    host = url.custom.host;
  } else if (url.password !== undefined) {
    // legacy: teams://<group>@<tenant>:<altId>@<groupOwner>
    [group, tenant] = url.user.split("@") as [string, string];
    altId = url.password;
    groupOwner = url.host;
  } else {
    group = url.user;
    tenant = url.host;
    [altId, groupOwner] = url.segments as [string, string];
  }
  const problems: string[] = [];
  if (!UUID_V4.test(group ?? "")) problems.push("group");
  if (!UUID_V4.test(tenant ?? "")) problems.push("tenant");
  if (!ALT_ID.test(altId ?? "")) problems.push("altId");
  if (!UUID_V4.test(groupOwner ?? "")) problems.push("groupOwner");
  if (problems.length > 0) throw new NotifyUrlError(`the Teams URL has an invalid ${problems.join(", ")}`, FIX);
  return { kind: "connector", group, tenant, altId, groupOwner, host, ...extras };
}

const ADAPTIVE_COLORS: Readonly<Record<string, string>> = {
  red: "attention",
  yellow: "warning",
  orange: "warning",
  green: "good",
  success: "good",
  blue: "accent",
  dark: "dark",
  light: "light",
};

/** The request for either format. */
export function teamsRequest(config: TeamsConfig, message: string): HttpRequest {
  const lines = messageLines(message);
  if (config.kind === "workflow") {
    const body: Record<string, unknown>[] = [];
    if (config.title) {
      body.push({
        type: "TextBlock",
        text: config.title,
        weight: "Bolder",
        size: "Medium",
        color: ADAPTIVE_COLORS[(config.color ?? "").toLowerCase()] ?? "default",
      });
    }
    for (const line of lines) if (line.trim() !== "") body.push({ type: "TextBlock", text: line, wrap: true });
    return postJson(config.url, {
      type: "message",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          contentUrl: null,
          content: {
            $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
            type: "AdaptiveCard",
            version: "1.2",
            body,
          },
        },
      ],
    });
  }
  const first = config.title ?? lines[0] ?? "";
  const prefix = config.host === DEFAULT_HOST ? "webhook" : "webhookb2";
  return postJson(
    `https://${config.host}/${prefix}/${config.group}@${config.tenant}/IncomingWebhook/${config.altId}/${config.groupOwner}`,
    {
      "@type": "MessageCard",
      "@context": "http://schema.org/extensions",
      markdown: true,
      ...(config.title ? { title: config.title } : {}),
      summary: first.length > 20 ? first.slice(0, 21) : first,
      ...(config.color ? { themeColor: config.color } : {}),
      sections: lines.map((text) => ({ text, startGroup: false })),
    },
  );
}

/** Microsoft Teams: connector webhooks (retired by Microsoft) and workflow webhooks. */
export const teamsService: NotifyService = {
  name: "teams",
  schemes: ["teams"],
  parse(url) {
    const config = parseTeamsUrl(url);
    if (config.kind === "workflow") {
      const u = new URL(config.url);
      return {
        service: "teams",
        display: `teams://…?host=${u.host}/…`,
        secrets: secretsOf(u.searchParams.get("sig") ?? undefined, u.pathname, config.url),
        deliver: (message, ctx) => sendAll([teamsRequest(config, message)], ctx, expectStatus(200, 202)),
      };
    }
    return {
      service: "teams",
      display: displayUrl("teams", undefined, `?host=${config.host}`),
      secrets: secretsOf(config.group, config.tenant, config.altId, config.groupOwner),
      deliver: (message, ctx) => sendAll([teamsRequest(config, message)], ctx, expectStatus(200)),
    };
  },
};
