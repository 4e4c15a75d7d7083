/** One HTTP request a service wants sent: a plain value, built by a pure function. */
export interface HttpRequest {
  readonly method: string;
  /** never holds `user:password@`; Node's fetch refuses such URLs */
  readonly url: string;
  /** header names as the service writes them */
  readonly headers: Readonly<Record<string, string>>;
  /** the body, or undefined for none */
  readonly body?: string;
}

/** What came back, fully read. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Sends one request (with the notifier's timeout and retry); rejects only when nothing came back. */
export type HttpSend = (request: HttpRequest) => Promise<HttpResponse>;

/** A JSON POST, the most common request. */
export function postJson(url: string, payload: unknown, headers: Readonly<Record<string, string>> = {}): HttpRequest {
  return {
    method: "POST",
    url,
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(payload),
  };
}

/** A form POST (`application/x-www-form-urlencoded`), fields in the given order. */
export function postForm(
  url: string,
  fields: readonly (readonly [string, string])[],
  headers: Readonly<Record<string, string>> = {},
): HttpRequest {
  return {
    method: "POST",
    url,
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields.map(([k, v]): [string, string] => [k, v])).toString(),
  };
}

/** `Authorization: Basic …` for a user and password (what Go would have put in the URL). */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
}
