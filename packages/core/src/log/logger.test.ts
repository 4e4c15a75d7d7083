import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.js";
import { redactText, redactUrl } from "./redact.js";

function capture(format: "text" | "json") {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (b: Buffer) => chunks.push(b));
  const log = createLogger({ format, destination: stream, base: { node: "node-a" } });
  return { log, text: () => Buffer.concat(chunks).toString("utf8") };
}

describe("the logger", () => {
  it("writes one JSON object per line with level, time, bindings and message", () => {
    const { log, text } = capture("json");
    log.child({ plugin: "drain" }).info({ pods: 3 }, "Draining node node-a");
    const line = JSON.parse(text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: "info",
      node: "node-a",
      plugin: "drain",
      pods: 3,
      msg: "Draining node node-a",
    });
    expect(typeof line.time).toBe("string");
  });

  it("writes text a person reads: time, level, message and fields on one line", () => {
    const { log, text } = capture("text");
    log.warn({ holder: "node-b" }, "Lock already held");
    const out = text();
    expect(out.split("\n").filter(Boolean)).toHaveLength(1);
    expect(out).toMatch(/^\[?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\]? WARN/);
    expect(out).toContain("Lock already held");
    expect(out).toContain("node-b");
    expect(out).not.toContain('{"');
  });

  it("never writes credentials or tokens found in URLs", () => {
    for (const format of ["json", "text"] as const) {
      const { log, text } = capture(format);
      log.error(
        { url: "https://admin:hunter2@prom.example:9090/api?token=abc123" },
        "notify failed for slack://xoxb:tok-SECRET@channel and https://hooks.example/services/T000/B000/XXXSECRET",
      );
      log.error(new Error("GET https://u:pw-SECRET@host/x failed"));
      const out = text();
      for (const secret of ["hunter2", "abc123", "tok-SECRET", "XXXSECRET", "pw-SECRET"])
        expect(out).not.toContain(secret);
      expect(out).toContain("prom.example");
    }
  });
});

describe("redactUrl", () => {
  it.each([
    ["https://prom:9090", "https://prom:9090"],
    ["https://prom:9090/", "https://prom:9090/"],
    ["https://user:pass@prom:9090/prometheus", "https://…@prom:9090/…"],
    ["http://prom/api/v1/query?x=1", "http://prom/…"],
    ["slack://tokenA/tokenB/tokenC", "slack://…"],
    ["smtp://user:pass@mail:25/?from=a@b", "smtp://…"],
    ["not a url", "not a url"],
  ])("%s → %s", (input, shown) => {
    expect(redactUrl(input)).toBe(shown);
  });

  it("redacts every URL in free text", () => {
    expect(redactText("a https://x:y@h/p b teams://g@t/a c")).toBe("a https://…@h/… b teams://… c");
  });
});
