import { createServer, type Server } from "node:http";
import type { HttpRoute } from "../contracts/http-route.js";
import type { Logger } from "../contracts/logger.js";
import { KuredError } from "../errors/kured-error.js";

/** The daemon's HTTP endpoint: plugin routes (e.g. `/metrics`) and `/healthz`. */
export interface HttpEndpoint {
  /** the port actually bound (useful with port 0) */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves the plugins' routes and `/healthz` on `--metrics-host:--metrics-port` (kured serves
 * `/metrics` there; every other path is 404). A listen failure rejects, so the daemon fails at
 * start rather than running without its endpoint.
 */
export async function startHttpEndpoint(options: {
  host: string;
  port: number;
  routes: readonly HttpRoute[];
  log: Logger;
  /** answers /healthz: true while the daemon loop is alive */
  healthy: () => boolean;
}): Promise<HttpEndpoint> {
  const routes = new Map(options.routes.map((r) => [r.path, r]));
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path === "/healthz") {
      const ok = options.healthy();
      res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" }).end(ok ? "ok\n" : "unhealthy\n");
      return;
    }
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404, { "content-type": "text/plain" }).end("404 page not found\n");
      return;
    }
    Promise.resolve()
      .then(() => route.handle(req, res))
      .catch((err: unknown) => {
        options.log.error({ err, path }, "HTTP route failed");
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end("internal error\n");
      });
  });
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error): void => {
      const where = `${options.host || "*"}:${options.port}`;
      reject(
        new KuredError(
          "KURED_ERR_LISTEN_FAILED",
          `cannot listen on ${where} for /metrics and /healthz: ${err.message}; choose another --metrics-port (or --metrics-host), or stop what uses it`,
          { cause: err },
        ),
      );
    };
    server.once("error", fail);
    server.listen(options.port, options.host || undefined, () => {
      server.off("error", fail);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : options.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
