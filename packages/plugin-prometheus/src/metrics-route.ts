import type { IncomingMessage, ServerResponse } from "node:http";
import type { HttpRoute } from "@kured/core";
import type { KuredMetrics } from "./kured-metrics.js";

/** `/metrics` on the daemon's HTTP endpoint: the metric set in Prometheus' text format. */
export class MetricsRoute implements HttpRoute {
  readonly path = "/metrics";

  constructor(private readonly metrics: KuredMetrics) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("method not allowed: use GET\n");
      return;
    }
    let text: string;
    try {
      text = await this.metrics.metrics();
    } catch (e) {
      res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end(`cannot collect metrics: ${e instanceof Error ? e.message : String(e)}\n`);
      return;
    }
    res.writeHead(200, {
      "content-type": this.metrics.registry.contentType,
      "content-length": Buffer.byteLength(text),
    });
    res.end(req.method === "HEAD" ? undefined : text);
  }
}
