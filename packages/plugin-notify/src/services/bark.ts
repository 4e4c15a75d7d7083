import type { HttpRequest, HttpResponse } from "../http-request.js";
import { postJson } from "../http-request.js";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import { bodyHint, displayUrl, hostPort, secretsOf, sendAll, type NotifyService } from "./service.js";

/** A Bark URL, read. */
export interface BarkConfig {
  readonly url: string;
  readonly deviceKey: string;
  readonly title: string;
  /** optional fields, as Bark names them */
  readonly fields: Readonly<Record<string, string | number>>;
}

const OPTIONAL = ["sound", "icon", "group", "url", "category", "copy"];

/** Reads `bark://:<device-key>@host[:port][/path][?params]`. */
export function parseBarkUrl(url: ServiceUrl): BarkConfig {
  url.query.rejectUnknown("bark", ["title", "scheme", ...OPTIONAL, "badge"]);
  if (url.host === "" || !url.password) {
    throw new NotifyUrlError("the Bark URL needs a device key and a host", "write bark://:<device-key>@<host>[/path]");
  }
  const scheme = url.query.choice("scheme", ["https", "http"], "https");
  const fields: Record<string, string | number> = {};
  for (const key of OPTIONAL) {
    const value = url.query.get(key);
    if (value) fields[key] = value;
  }
  const badge = url.query.int("badge", 0);
  if (badge !== 0) fields.badge = badge;
  const path = url.segments.map(encodeURIComponent).join("/");
  return {
    url: `${scheme}://${hostPort(url)}${path ? `/${path}` : ""}/push`,
    deviceKey: url.password,
    title: url.query.get("title") ?? "",
    fields,
  };
}

/** The push request. */
export function barkRequest(config: BarkConfig, message: string): HttpRequest {
  return postJson(config.url, { body: message, device_key: config.deviceKey, title: config.title, ...config.fields });
}

/** Bark answers JSON with `code: 200` on success. */
function checkBark(r: HttpResponse): string | undefined {
  try {
    const answer = JSON.parse(r.text) as { code?: number; message?: string };
    if (answer.code === 200) return undefined;
    return `answered ${r.status}, code ${String(answer.code)}: ${answer.message ?? ""}`.trimEnd();
  } catch {
    return `answered ${r.status}${bodyHint(r.text)}`;
  }
}

/** Bark (iOS push). */
export const barkService: NotifyService = {
  name: "bark",
  schemes: ["bark"],
  parse(url) {
    const config = parseBarkUrl(url);
    return {
      service: "bark",
      display: displayUrl("bark", hostPort(url)),
      secrets: secretsOf(config.deviceKey),
      deliver: (message, ctx) => sendAll([barkRequest(config, message)], ctx, checkBark),
    };
  },
};
