import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveRoute } from "./__fixtures__/route-server.js";
import { KuredMetrics } from "./kured-metrics.js";
import { MetricsRoute } from "./metrics-route.js";

const metrics = new KuredMetrics({ node: "node-a" });
let server: Awaited<ReturnType<typeof serveRoute>>;

beforeAll(async () => {
  metrics.handle({ kind: "reboot-required", sample: { node: "node-a", required: true, at: new Date() } });
  server = await serveRoute(new MetricsRoute(metrics));
});
afterAll(() => server.close());

describe("MetricsRoute", () => {
  it("serves the registry in Prometheus' text format at /metrics", async () => {
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    expect(text).toContain('kured_reboot_required{node="node-a"} 1');
    expect(text).toContain("process_resident_memory_bytes");
  });

  it("answers HEAD without a body", async () => {
    const res = await fetch(server.url, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  it.each(["POST", "PUT", "DELETE"])("refuses %s with 405 and Allow", async (method) => {
    const res = await fetch(server.url, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
  });

  it("answers 500 when collecting fails", async () => {
    const broken = new KuredMetrics({ node: "node-a", defaultMetrics: false });
    broken.registry.metrics = () => Promise.reject(new Error("collector exploded"));
    const s = await serveRoute(new MetricsRoute(broken));
    try {
      const res = await fetch(s.url);
      expect(res.status).toBe(500);
      expect(await res.text()).toContain("collector exploded");
    } finally {
      await s.close();
    }
  });
});
