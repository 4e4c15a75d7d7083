import type { HttpRequest } from "../http-request.js";
import { basicAuth } from "../http-request.js";
import { NotifyUrlError } from "../notify-url-error.js";
import type { ServiceUrl } from "../service-url.js";
import { displayUrl, expectStatusBelow, hostPort, secretsOf, sendAll, type NotifyService } from "./service.js";

/** A generic webhook URL, read. */
export interface GenericConfig {
  /** the target without query */
  readonly target: string;
  /** query pairs forwarded to the target, in order */
  readonly forward: readonly (readonly [string, string])[];
  readonly method: string;
  readonly contentType: string;
  /** "" sends the message as the body; "json" sends `{ <messageKey>: message, …extras }` */
  readonly template: "" | "json";
  readonly messageKey: string;
  /** `$key=value` fields merged into the JSON body */
  readonly extras: Readonly<Record<string, string>>;
  /** `@Name=value` headers, names normalised */
  readonly headers: Readonly<Record<string, string>>;
}

/** The query keys the service consumes; any other key is forwarded to the target. */
const SERVICE_KEYS = ["contenttype", "disabletls", "template", "title", "titlekey", "messagekey", "method"];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `@acceptLanguage` → `Accept-Language`: capitalise each word, a dash before interior capitals. */
export function headerName(key: string): string {
  return key
    .replace(/(?<=[^-])([A-Z])/g, "-$1")
    .split("-")
    .map((w) => (w === "" ? w : w[0]?.toUpperCase() + w.slice(1)))
    .join("-");
}

/** Reads `generic://host[:port]/path?…` or `generic+https://host/path?…`. */
export function parseGenericUrl(url: ServiceUrl): GenericConfig {
  const source = url.custom;
  const params = new Map<string, string>();
  const forward: [string, string][] = [];
  const extras: Record<string, string> = {};
  const headers: Record<string, string> = {};
  const entries = source ? [...source.searchParams] : url.query.entries();
  for (const [key, value] of entries) {
    const lower = key.toLowerCase();
    if (key.startsWith("@")) headers[headerName(key.slice(1))] = value;
    else if (key.startsWith("$")) extras[key.slice(1)] = value;
    else if (key.startsWith("__")) forward.push([key.slice(2), value]);
    else if (SERVICE_KEYS.includes(lower)) {
      if (!params.has(lower)) params.set(lower, value);
    } else forward.push([key, value]);
  }
  const template = (params.get("template") ?? "").toLowerCase();
  if (template !== "" && template !== "json") {
    throw new NotifyUrlError(
      `the generic template "${template}" is not available`,
      "write template=json for a JSON body, or leave template out to send the message as the body",
    );
  }
  const method = (params.get("method") || "POST").toUpperCase();
  if (!TOKEN.test(method))
    throw new NotifyUrlError('query key "method" is not an HTTP method', "write e.g. method=PUT");
  const disableRaw = (params.get("disabletls") ?? "").toLowerCase();
  if (disableRaw !== "" && !["yes", "y", "true", "1", "no", "n", "false", "0"].includes(disableRaw)) {
    throw new NotifyUrlError('query key "disabletls" must be yes or no', "write disabletls=yes or disabletls=no");
  }
  let target: string;
  let user: string;
  let password: string | undefined;
  if (source) {
    if (source.protocol !== "https:" && source.protocol !== "http:") {
      throw new NotifyUrlError("generic+ URLs must be http or https", "write generic+https://host/path");
    }
    target = `${source.protocol}//${source.host}${source.pathname}`;
    user = decodeURIComponent(source.username);
    password = source.password === "" ? undefined : decodeURIComponent(source.password);
  } else {
    if (url.host === "") throw new NotifyUrlError("the generic URL has no host", "write generic://host[:port]/path");
    const disableTls = ["yes", "y", "true", "1"].includes(disableRaw);
    target = `${disableTls ? "http" : "https"}://${hostPort(url)}${url.rawPath}`;
    user = url.user;
    password = url.password;
  }
  const hasAuthHeader = Object.keys(headers).some((h) => h.toLowerCase() === "authorization");
  if ((user !== "" || password !== undefined) && !hasAuthHeader) {
    // Go sends URL credentials as Basic auth; fetch refuses them in the URL, so they become a header.
    headers.Authorization = basicAuth(user, password ?? "");
  }
  return {
    target,
    forward,
    method,
    contentType: params.get("contenttype") || "application/json",
    template: template === "json" ? "json" : "",
    messageKey: params.get("messagekey") || "message",
    extras,
    headers,
  };
}

/** The request: forwarded query, content type headers, the message raw or as JSON. */
export function genericRequest(config: GenericConfig, message: string): HttpRequest {
  const query = new URLSearchParams(config.forward.map(([k, v]): [string, string] => [k, v])).toString();
  const body =
    config.template === "json" ? JSON.stringify({ [config.messageKey]: message, ...config.extras }) : message;
  // fetch cannot send a body with GET or HEAD.
  const bodyless = config.method === "GET" || config.method === "HEAD";
  return {
    method: config.method,
    url: query ? `${config.target}?${query}` : config.target,
    headers: { "Content-Type": config.contentType, Accept: config.contentType, ...config.headers },
    ...(bodyless ? {} : { body }),
  };
}

/** Any webhook: the universal adapter. */
export const genericService: NotifyService = {
  name: "generic",
  schemes: ["generic"],
  parse(url) {
    const config = parseGenericUrl(url);
    const target = new URL(config.target);
    return {
      service: "generic",
      display: displayUrl(url.custom ? `generic+${target.protocol.replace(":", "")}` : "generic", target.host),
      secrets: secretsOf(
        url.password,
        url.custom?.password,
        ...Object.values(config.headers),
        ...Object.values(config.headers).map((h) => h.replace(/^\S+\s+/, "")),
        ...config.forward.map(([, v]) => v),
        ...target.pathname.split("/").filter((s) => s.length >= 8),
      ),
      deliver: (message, ctx) => sendAll([genericRequest(config, message)], ctx, expectStatusBelow(300)),
    };
  },
};
