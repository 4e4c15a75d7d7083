import { describe, expect, it } from "vitest";
import { createLogger } from "../log/logger.js";
import { startHttpEndpoint } from "./http-endpoint.js";

const log = createLogger({ format: "json", level: "silent" });

describe("the daemon's HTTP endpoint", () => {
  it("serves plugin routes and /healthz, and 404 for anything else", async () => {
    let healthy = true;
    const endpoint = await startHttpEndpoint({
      host: "127.0.0.1",
      port: 0,
      log,
      healthy: () => healthy,
      routes: [{ path: "/metrics", handle: (_req, res) => void res.writeHead(200).end("kured_reboot_required 0\n") }],
    });
    try {
      const base = `http://127.0.0.1:${endpoint.port}`;
      expect(await (await fetch(`${base}/metrics`)).text()).toBe("kured_reboot_required 0\n");
      expect((await fetch(`${base}/metrics?x=1`)).status).toBe(200);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      healthy = false;
      expect((await fetch(`${base}/healthz`)).status).toBe(503);
      expect((await fetch(`${base}/other`)).status).toBe(404);
    } finally {
      await endpoint.close();
    }
  });

  it("answers 500 when a route throws, and keeps serving", async () => {
    const endpoint = await startHttpEndpoint({
      host: "127.0.0.1",
      port: 0,
      log,
      healthy: () => true,
      routes: [
        {
          path: "/boom",
          handle: () => {
            throw new Error("route failed");
          },
        },
      ],
    });
    try {
      expect((await fetch(`http://127.0.0.1:${endpoint.port}/boom`)).status).toBe(500);
      expect((await fetch(`http://127.0.0.1:${endpoint.port}/healthz`)).status).toBe(200);
    } finally {
      await endpoint.close();
    }
  });

  it("fails at start when the port is taken", async () => {
    const first = await startHttpEndpoint({ host: "127.0.0.1", port: 0, log, healthy: () => true, routes: [] });
    try {
      await expect(
        startHttpEndpoint({ host: "127.0.0.1", port: first.port, log, healthy: () => true, routes: [] }),
      ).rejects.toMatchObject({
        code: "KURED_ERR_LISTEN_FAILED",
        message: expect.stringMatching(/EADDRINUSE.*--metrics-port/),
      });
    } finally {
      await first.close();
    }
  });
});
