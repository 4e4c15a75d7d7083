import { request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import type { RequestOptions as HttpsRequestOptions } from "node:https";

/** node:https (and with it TLS) is loaded by the first https:// request, not at start. */
function httpsRequest(
  url: URL,
  options: HttpsRequestOptions,
  onResponse: (response: IncomingMessage) => void,
): ClientRequest {
  return process.getBuiltinModule("node:https").request(url, options, onResponse);
}

/** One HTTP exchange as the Prometheus client needs it. */
export interface HttpExchange {
  readonly method: "GET" | "POST";
  /** the URL to call, without userinfo */
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** PEM certificates trusted for https instead of the system bundle */
  readonly ca?: string;
  readonly signal: AbortSignal;
  /** the largest body read; a longer answer is an error (a Prometheus answer is small) */
  readonly maxBodyBytes: number;
}

/** What came back. */
export interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly body: string;
}

/**
 * Sends one request with node:http or node:https. node:https rather than fetch because a custom
 * CA needs an undici dispatcher, and undici is not a dependency of this package.
 */
export function sendHttpRequest(exchange: HttpExchange): Promise<HttpAnswer> {
  const { url, signal } = exchange;
  const headers: Record<string, string> = { ...exchange.headers };
  if (exchange.body !== undefined) headers["content-length"] = String(Buffer.byteLength(exchange.body));
  return new Promise<HttpAnswer>((resolve, reject) => {
    const options = { method: exchange.method, headers, signal };
    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > exchange.maxBodyBytes) {
          res.destroy(new Error(`response body larger than ${exchange.maxBodyBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", reject);
      // Whatever Node reports for a connection cut mid-body, an incomplete answer must settle the promise.
      res.on("close", () => {
        if (!res.complete) reject(new Error("the connection closed before the answer was complete"));
      });
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? "",
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    };
    const req =
      url.protocol === "https:"
        ? httpsRequest(url, { ...options, ...(exchange.ca === undefined ? {} : { ca: exchange.ca }) }, onResponse)
        : httpRequest(url, options, onResponse);
    req.on("error", reject);
    req.end(exchange.body);
  });
}
