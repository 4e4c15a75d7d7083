import { NotifyUrlError } from "./notify-url-error.js";

/** A URL's query as shoutrrr reads it: keys case-insensitive, the first of repeated keys wins. */
export class QueryParams {
  readonly #first = new Map<string, string>();
  readonly #entries: readonly (readonly [string, string])[];

  constructor(search: string) {
    this.#entries = [...new URLSearchParams(search)];
    for (const [key, value] of this.#entries) {
      const k = key.toLowerCase();
      if (!this.#first.has(k)) this.#first.set(k, value);
    }
  }

  /** The value of the first of `keys` present (aliases), or undefined. */
  get(...keys: readonly string[]): string | undefined {
    for (const key of keys) {
      const value = this.#first.get(key.toLowerCase());
      if (value !== undefined) return value;
    }
    return undefined;
  }

  /** Every key/value pair in order, keys as written. */
  entries(): readonly (readonly [string, string])[] {
    return this.#entries;
  }

  /** The distinct keys, lower-cased. */
  keys(): readonly string[] {
    return [...this.#first.keys()];
  }

  /** Rejects any key that is not in `known` (lower-case names, aliases included). */
  rejectUnknown(service: string, known: readonly string[]): void {
    const unknown = this.keys().filter((k) => !known.includes(k));
    if (unknown.length === 0) return;
    throw new NotifyUrlError(
      `${unknown.map((k) => JSON.stringify(k)).join(", ")} ${unknown.length === 1 ? "is not a query key" : "are not query keys"} of ${service} URLs`,
      known.length ? `use only: ${known.join(", ")}` : `${service} URLs take no query`,
    );
  }

  /** A shoutrrr boolean: yes/no, true/false, 1/0, y/n (any case). */
  bool(keys: string | readonly string[], fallback: boolean): boolean {
    const list = typeof keys === "string" ? [keys] : keys;
    const raw = this.get(...list);
    if (raw === undefined || raw === "") return fallback;
    const v = raw.toLowerCase();
    if (["yes", "y", "true", "1"].includes(v)) return true;
    if (["no", "n", "false", "0"].includes(v)) return false;
    throw new NotifyUrlError(`query key "${list[0]}" must be yes or no`, `write ${list[0]}=yes or ${list[0]}=no`);
  }

  /** A decimal integer. */
  int(keys: string | readonly string[], fallback: number): number {
    const list = typeof keys === "string" ? [keys] : keys;
    const raw = this.get(...list);
    if (raw === undefined || raw === "") return fallback;
    if (!/^[-+]?[0-9]+$/.test(raw)) {
      throw new NotifyUrlError(`query key "${list[0]}" must be a whole number`, `write e.g. ${list[0]}=0`);
    }
    return Number(raw);
  }

  /** One of `choices`, matched case-insensitively; returns the choice as declared. */
  choice<C extends string>(keys: string | readonly string[], choices: readonly C[], fallback: C): C {
    const list = typeof keys === "string" ? [keys] : keys;
    const raw = this.get(...list);
    if (raw === undefined || raw === "") return fallback;
    const found = choices.find((c) => c.toLowerCase() === raw.toLowerCase());
    if (found === undefined) {
      throw new NotifyUrlError(`query key "${list[0]}" has an unknown value`, `use one of: ${choices.join(", ")}`);
    }
    return found;
  }

  /** A comma-separated list, empty items dropped. */
  list(...keys: readonly string[]): string[] {
    const raw = this.get(...keys);
    if (raw === undefined) return [];
    return raw
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  }
}
