/**
 * Secret redaction for anything that may hold a URL with credentials or tokens: userinfo
 * (`user:pass@`) and the path/query of notification URLs are replaced, so a log line, error or
 * Event shows at most `scheme://host/…`.
 */

const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*):\/\/([^\s"'<>]+)/gi;

/**
 * Shows a URL without anything secret. For `http(s)` URLs the host is kept (`https://host/…`);
 * for every other scheme (shoutrrr services keep tokens in the "host" and path) only the scheme is
 * (`slack://…`). Credentials, path, query and fragment are never shown. Non-URLs pass through.
 */
export function redactUrl(raw: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/is.exec(raw.trim());
  if (!match) return raw;
  const scheme = (match[1] ?? "").toLowerCase();
  const authority = match[2] ?? "";
  const rest = match[3] ?? "";
  if (scheme !== "http" && scheme !== "https") return `${scheme}://…`;
  const host = authority.slice(authority.lastIndexOf("@") + 1);
  const user = authority.includes("@") ? "…@" : "";
  return `${scheme}://${user}${host}${rest === "" || rest === "/" ? rest : "/…"}`;
}

/** Redacts every URL inside free text. */
export function redactText(text: string): string {
  return text.replace(URL_IN_TEXT, (whole) => redactUrl(whole));
}

/** Redacts strings, and the string fields of plain objects and errors (one level deep). */
export function redactSecrets(value: unknown): unknown {
  if (typeof value === "string") return redactText(value);
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
      out[k] = typeof v === "string" ? redactText(v) : v instanceof Error ? redactSecrets(v) : v;
    }
    return out;
  }
  return value;
}
