/**
 * Secret redaction for anything that may hold a URL with credentials or tokens: userinfo
 * (`user:pass@`, with or without a scheme) and the path/query of notification URLs are replaced,
 * so a log line, error or Event shows at most `scheme://host/…` (or `…@host` without a scheme).
 */

const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*):\/\/([^\s"'<>]+)/gi;

/**
 * `user:password@` without a scheme inside free text (`--prometheus-url=user:pw@host` is a typo
 * people make). The user starts after a delimiter, so `scheme://…@host` (already redacted) and
 * `key=user:pw@host` keep their prefix; the password may hold anything but blanks, quotes and `@`.
 */
const USERINFO_IN_TEXT = /(?<=^|[\s"'(<=,;[{])[^\s"'<>@/=,;()[\]{}]+:(?!\/\/)[^\s"'<>@]*@(?=[^\s"'<>@])/g;

/** A whole value that is an authority without a scheme: `user@host`, `user:pw@host:9090/path`. */
const SCHEMELESS_AUTHORITY = /^([^\s/?#]+)@([^\s@/?#]+)(.*)$/s;

function hostAndRest(host: string, rest: string): string {
  return `…@${host}${rest === "" || rest === "/" ? rest : "/…"}`;
}

/**
 * Shows a URL without anything secret. For `http(s)` URLs the host is kept (`https://host/…`);
 * for every other scheme (shoutrrr services keep tokens in the "host" and path) only the scheme is
 * (`slack://…`). Credentials, path, query and fragment are never shown. A value without a scheme
 * but with userinfo (`user:pw@host`, `user@host`) shows as `…@host`. Other non-URLs pass through.
 */
export function redactUrl(raw: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/is.exec(raw.trim());
  if (!match) {
    const bare = SCHEMELESS_AUTHORITY.exec(raw.trim());
    return bare ? hostAndRest(bare[2] ?? "", bare[3] ?? "") : raw;
  }
  const scheme = (match[1] ?? "").toLowerCase();
  const authority = match[2] ?? "";
  const rest = match[3] ?? "";
  if (scheme !== "http" && scheme !== "https") return `${scheme}://…`;
  const host = authority.slice(authority.lastIndexOf("@") + 1);
  const user = authority.includes("@") ? "…@" : "";
  return `${scheme}://${user}${host}${rest === "" || rest === "/" ? rest : "/…"}`;
}

/**
 * Redacts every URL inside free text, and every `user:password@` without a scheme. A text that is
 * one word with an `@` and no scheme (an echoed value such as `user@host`) is redacted as a URL.
 */
export function redactText(text: string): string {
  if (!/\s/.test(text) && !text.includes("://") && SCHEMELESS_AUTHORITY.test(text)) return redactUrl(text);
  return text.replace(URL_IN_TEXT, (whole) => redactUrl(whole)).replace(USERINFO_IN_TEXT, "…@");
}

/** Redacts strings, and the string fields and string arrays of plain objects and errors (one level deep). */
export function redactSecrets(value: unknown): unknown {
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === "string" ? redactText(v) : v));
  if (value instanceof Error) {
    const copy = new Error(redactText(value.message));
    copy.name = value.name;
    if (value.stack) copy.stack = redactText(value.stack);
    for (const [k, v] of Object.entries(value)) {
      (copy as unknown as Record<string, unknown>)[k] = typeof v === "string" ? redactText(v) : v;
    }
    return copy;
  }
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = typeof v === "string" || Array.isArray(v) || v instanceof Error ? redactSecrets(v) : v;
    }
    return out;
  }
  return value;
}
