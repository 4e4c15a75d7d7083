import type { HttpRequest } from "../http-request.js";
import { basicAuth } from "../http-request.js";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import { displayUrl, expectStatusBelow, hostPort, secretsOf, sendAll, type NotifyService } from "./service.js";

/** ntfy priorities by name and number, as the header spells them. */
const PRIORITIES: Readonly<Record<string, string>> = {
  min: "Min",
  "1": "Min",
  low: "Low",
  "2": "Low",
  default: "Default",
  "3": "Default",
  high: "High",
  "4": "High",
  max: "Max",
  urgent: "Max",
  "5": "Max",
};

/** An ntfy URL, read. */
export interface NtfyConfig {
  readonly url: string;
  readonly user?: string;
  readonly password?: string;
  /** header name → value, only those that are set */
  readonly headers: Readonly<Record<string, string>>;
}

const HEADER_KEYS: readonly (readonly [string, string])[] = [
  ["title", "Title"],
  ["click", "Click"],
  ["attach", "Attach"],
  ["filename", "Filename"],
  ["email", "Email"],
  ["icon", "X-Icon"],
];

const KEYS = [
  "title",
  "scheme",
  "tags",
  "priority",
  "actions",
  "click",
  "attach",
  "filename",
  "delay",
  "at",
  "in",
  "email",
  "icon",
  "cache",
  "firebase",
];

/** Reads `ntfy://[user:password@]host[:port]/<topic>`. */
export function parseNtfyUrl(url: ServiceUrl): NtfyConfig {
  url.query.rejectUnknown("ntfy", KEYS);
  const topic = url.segments.join("/");
  if (topic === "")
    throw new NotifyUrlError("the ntfy URL names no topic", "write ntfy://[user:password@]host/<topic>");
  const scheme = url.query.choice("scheme", ["https", "http"], "https");
  const priorityRaw = (url.query.get("priority") || "default").toLowerCase();
  const priority = PRIORITIES[priorityRaw];
  if (priority === undefined) {
    throw new NotifyUrlError('query key "priority" has an unknown value', "use min, low, default, high, max (or 1–5)");
  }
  const headers: Record<string, string> = { "User-Agent": "kured-ts" };
  for (const [key, header] of HEADER_KEYS) {
    const value = url.query.get(key);
    if (value) headers[header] = value;
  }
  headers.Priority = priority;
  const tags = url.query.list("tags");
  if (tags.length) headers.Tags = tags.join(",");
  const delay = url.query.get("delay", "at", "in");
  if (delay) headers.Delay = delay;
  const actions = (url.query.get("actions") ?? "")
    .split(";")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  if (actions.length) headers.Actions = actions.join(";");
  if (!url.query.bool("cache", true)) headers.Cache = "no";
  if (!url.query.bool("firebase", true)) headers.Firebase = "no";
  return {
    url: `${scheme}://${url.host === "" ? "ntfy.sh" : hostPort(url)}/${url.segments.map(encodeURIComponent).join("/")}`,
    ...(url.password !== undefined ? { user: url.user, password: url.password } : {}),
    headers,
  };
}

/** The publish request: the message as the raw body, options as headers. */
export function ntfyRequest(config: NtfyConfig, message: string): HttpRequest {
  const headers: Record<string, string> = { ...config.headers };
  if (config.password !== undefined) headers.Authorization = basicAuth(config.user ?? "", config.password);
  return { method: "POST", url: config.url, headers, body: message };
}

/** ntfy servers (ntfy.sh or self-hosted). */
export const ntfyService: NotifyService = {
  name: "ntfy",
  schemes: ["ntfy"],
  parse(url) {
    const config = parseNtfyUrl(url);
    return {
      service: "ntfy",
      display: displayUrl("ntfy", url.host === "" ? "ntfy.sh" : hostPort(url)),
      // A topic on a public server is as good as a password.
      secrets: secretsOf(config.password, ...url.segments),
      deliver: (message, ctx) => sendAll([ntfyRequest(config, message)], ctx, expectStatusBelow(400)),
    };
  },
};
