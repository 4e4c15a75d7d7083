import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { HttpRoute } from "@kured/core";

/** An HTTP server on a loopback port that serves one route (404 elsewhere), as the daemon would. */
export async function serveRoute(
  route: HttpRoute,
  host = "127.0.0.1",
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (new URL(req.url ?? "/", "http://x").pathname !== route.path) {
      res.writeHead(404).end();
      return;
    }
    void route.handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}${route.path}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
