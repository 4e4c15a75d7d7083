import { redactText } from "@kured/core";

/**
 * Removes every secret of a URL from a text (also in percent-encoded and base64 forms) and
 * redacts any URL left in it: the last line of defence before a log line.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s.length < 3) continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
    forms.add(Buffer.from(s, "utf8").toString("base64").replace(/=+$/, ""));
  }
  // Longest first, so a token is not half-replaced by one of its own parts.
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join("…");
  return redactText(out);
}
