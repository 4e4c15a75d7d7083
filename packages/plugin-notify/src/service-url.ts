import { NotifyUrlError } from "./notify-url-error.js";
import { QueryParams } from "./query-params.js";

/**
 * A notification URL taken apart the way shoutrrr (Go's net/url) sees it: user and password
 * percent-decoded, host with its case kept, path segments decoded, query keys case-insensitive.
 */
export interface ServiceUrl {
  /** the service part of the scheme, lower-case (`generic` for `generic+https://…`) */
  readonly service: string;
  /** for `service+scheme://…` ("custom URLs"): the URL after `service+` */
  readonly custom?: URL;
  readonly user: string;
  /** undefined when the URL has no `:password` */
  readonly password: string | undefined;
  readonly host: string;
  /** "" when none */
  readonly port: string;
  /** the decoded path, `/` separated, e.g. `/a/b` */
  readonly path: string;
  /** the path as written (percent-encoding kept), for services that forward it */
  readonly rawPath: string;
  /** the decoded, non-empty path segments */
  readonly segments: readonly string[];
  readonly query: QueryParams;
  /** the raw query string including `?`, or "" */
  readonly search: string;
  /** the decoded fragment without `#`, or "" */
  readonly fragment: string;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part; // Go keeps a malformed escape as written only by failing; we read it literally
  }
}

/** Parses a notification URL; the error says what is wrong without echoing the URL. */
export function parseServiceUrl(raw: string): ServiceUrl {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(raw)?.[1];
  if (scheme === undefined) {
    throw new NotifyUrlError(
      "is not a notification URL (no scheme)",
      "write a shoutrrr URL such as slack://hook:<token>@webhook or smtp://host:25/?from=a@b.c&to=d@e.f",
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new NotifyUrlError(
      `is not a valid ${scheme.toLowerCase()}:// URL`,
      "check for spaces or characters that must be percent-encoded (e.g. @ in a user name as %40)",
    );
  }
  const plus = scheme.indexOf("+");
  const service = (plus === -1 ? scheme : scheme.slice(0, plus)).toLowerCase();
  let custom: URL | undefined;
  if (plus !== -1) {
    try {
      custom = new URL(raw.slice(plus + 1));
    } catch {
      throw new NotifyUrlError(`the URL after "${service}+" is not valid`, `write ${service}+https://host/path`);
    }
  }
  const path = decode(url.pathname);
  return {
    service,
    ...(custom ? { custom } : {}),
    user: decode(url.username),
    password: hasPassword(raw) ? decode(url.password) : undefined,
    host: url.hostname,
    port: url.port,
    path,
    rawPath: url.pathname,
    segments: url.pathname
      .split("/")
      .filter((s) => s !== "")
      .map(decode),
    query: new QueryParams(url.search),
    search: url.search,
    fragment: decode(url.hash.replace(/^#/, "")),
  };
}

/** True when the authority has `user:password@` (WHATWG cannot tell an empty password from none). */
function hasPassword(raw: string): boolean {
  const authority = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(raw)?.[1] ?? "";
  const at = authority.lastIndexOf("@");
  return at !== -1 && authority.slice(0, at).includes(":");
}
