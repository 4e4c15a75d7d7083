/** Go-style quoting of user input inside error messages, so our messages read exactly like Go's. */

const HEX = "0123456789abcdef";

function hexBytes(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) out += `\\x${HEX[b >> 4] ?? "0"}${HEX[b & 15] ?? "0"}`;
  return out;
}

/**
 * The `quote` of Go's time package (used in duration errors): `"` and `\` are escaped, and every
 * byte of a non-ASCII or control character is written `\xNN`.
 */
export function quoteTime(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0x80 || cp < 0x20) out += hexBytes(ch);
    else out += ch === '"' || ch === "\\" ? `\\${ch}` : ch;
  }
  return `${out}"`;
}

const C_ESCAPES: Readonly<Record<string, string>> = {
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
};

/**
 * Go's strconv.Quote (used in strconv errors): C escapes for control characters, `\xNN`, `\uNNNN`
 * or `\UNNNNNNNN` for other unprintable ones, printable Unicode kept as is.
 */
export function quoteGo(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    const escape = C_ESCAPES[ch];
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (escape !== undefined) out += escape;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (/^[\p{C}\p{Zl}\p{Zp}]$/u.test(ch) || (/^\p{Zs}$/u.test(ch) && cp !== 0x20)) {
      out += cp > 0xffff ? `\\U${cp.toString(16).padStart(8, "0")}` : `\\u${cp.toString(16).padStart(4, "0")}`;
    } else out += ch;
  }
  return `${out}"`;
}
