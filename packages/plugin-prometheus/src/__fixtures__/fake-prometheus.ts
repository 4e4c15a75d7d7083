import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

/** A request as the fake Prometheus received it. */
export interface RecordedRequest {
  readonly method: string;
  /** path and query string */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** How the fake answers one request; `hang` never answers; `cut` sends half a body and drops the connection. */
export type FakeAnswer =
  | { readonly status: number; readonly body: string; readonly statusText?: string }
  | { readonly hang: true }
  | { readonly cut: true };

/** A Prometheus API stand-in on a loopback port that records every request. */
export interface FakePrometheus {
  /** `http(s)://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** decides the answer of each request; a JSON empty vector by default */
  answer: (req: RecordedRequest) => FakeAnswer;
  close(): Promise<void>;
}

/** The JSON body of a successful instant query. */
export function successBody(resultType: string, result: unknown): string {
  return JSON.stringify({ status: "success", data: { resultType, result } });
}

/** A vector of samples with labels and values. */
export function vectorBody(samples: readonly { labels: Record<string, string>; value: string | number }[]): string {
  return successBody(
    "vector",
    samples.map((s) => ({ metric: s.labels, value: [1767571200, String(s.value)] })),
  );
}

/** An `ALERTS` sample. */
export function alertSample(
  name: string,
  state: "firing" | "pending",
  value: string | number = 1,
): { labels: Record<string, string>; value: string | number } {
  return { labels: { __name__: "ALERTS", alertname: name, alertstate: state }, value };
}

/** Starts the fake; give `tls` (PEM key and certificate) for https. */
export async function startFakePrometheus(tls?: { key: string; cert: string }): Promise<FakePrometheus> {
  const requests: RecordedRequest[] = [];
  const open = new Set<ServerResponse>();
  const fake: FakePrometheus = {
    origin: "",
    port: 0,
    requests,
    answer: () => ({ status: 200, body: vectorBody([]) }),
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const recorded = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(recorded);
      const answer = fake.answer(recorded);
      if ("hang" in answer) {
        open.add(res);
        return;
      }
      if ("cut" in answer) {
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
        res.write('{"status":"succ', () => res.destroy());
        return;
      }
      res.writeHead(answer.status, answer.statusText ?? "", { "content-type": "application/json" });
      res.end(answer.body);
    });
  };
  const server: Server = tls ? createHttpsServer(tls, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(fake, { port, origin: `${tls ? "https" : "http"}://127.0.0.1:${port}` });
}
