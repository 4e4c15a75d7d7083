import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VirtualClock } from "../clock/virtual-clock.js";
import { startNotificationSink, type NotificationSink } from "./notification-sink.js";

describe("startNotificationSink", () => {
  let sink: NotificationSink;
  beforeEach(async () => {
    sink = await startNotificationSink();
  });
  afterEach(async () => {
    await sink.close();
  });

  it("listens on a free loopback port and answers 200 {} by default", async () => {
    expect(sink.url).toBe(`http://127.0.0.1:${sink.port}`);
    const res = await fetch(`${sink.url}/anything`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({});
  });

  it("records method, path, query, headers, raw body and parsed JSON", async () => {
    await fetch(`${sink.url}/hooks/T0/B1?a=1&a=2&b=x`, {
      method: "POST",
      headers: { "Content-Type": "application/json; charset=utf-8", "X-Token": "s3cret" },
      body: JSON.stringify({ text: "node-1 is rebooting" }),
    });
    const [r] = sink.requests;
    expect(r).toMatchObject({
      seq: 1,
      method: "POST",
      path: "/hooks/T0/B1",
      text: '{"text":"node-1 is rebooting"}',
      json: { text: "node-1 is rebooting" },
    });
    expect(r?.query.getAll("a")).toEqual(["1", "2"]);
    expect(r?.query.get("b")).toBe("x");
    expect(r?.headers["x-token"]).toBe("s3cret");
    expect(r?.body).toEqual(Buffer.from('{"text":"node-1 is rebooting"}'));
    expect(r?.form).toBeUndefined();
  });

  it("parses urlencoded forms, keeps other bodies as text, and malformed JSON unparsed", async () => {
    await fetch(`${sink.url}/form`, {
      method: "POST",
      body: new URLSearchParams({ title: "kured", message: "a b&c" }),
    });
    await fetch(`${sink.url}/text`, { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" });
    await fetch(`${sink.url}/bad`, { method: "POST", headers: { "content-type": "application/json" }, body: "{oops" });
    const [form, text, bad] = sink.requests;
    expect(form?.form).toEqual({ title: "kured", message: "a b&c" });
    expect([text?.text, text?.json, text?.form]).toEqual(["hello", undefined, undefined]);
    expect([bad?.text, bad?.json]).toEqual(["{oops", undefined]);
  });

  it("answers with programmed responses per path, the latest rule first, `times` then the default", async () => {
    sink.respond("/hook", { status: 429, headers: { "Retry-After": "3" }, body: "slow down" }, { times: 1 });
    sink.respond(/^\/api\//, { status: 201, body: { id: 7 } });
    sink.respond(
      (r) => r.query.has("fail"),
      (r) => ({ status: 500, body: { path: r.path } }),
    );
    const first = await fetch(`${sink.url}/hook`);
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("3");
    expect(await first.text()).toBe("slow down");
    expect((await fetch(`${sink.url}/hook`)).status).toBe(200);
    const created = await fetch(`${sink.url}/api/x`);
    expect([created.status, await created.json()]).toEqual([201, { id: 7 }]);
    const failed = await fetch(`${sink.url}/api/x?fail`);
    expect([failed.status, await failed.json()]).toEqual([500, { path: "/api/x" }]);
  });

  it("delays answers and drops connections on request", async () => {
    sink.respond("/slow", { delayMs: 40 });
    sink.respond("/drop", { drop: true });
    const started = performance.now();
    expect((await fetch(`${sink.url}/slow`)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
    await expect(fetch(`${sink.url}/drop`)).rejects.toThrow();
    expect(sink.requests.map((r) => r.path)).toEqual(["/slow", "/drop"]);
  });

  it("waits for a count or a matching request, and says what it saw on timeout", async () => {
    const two = sink.waitFor(2);
    const match = sink.waitFor((r) => r.path === "/b");
    void fetch(`${sink.url}/a`);
    void fetch(`${sink.url}/b`);
    expect((await two).map((r) => r.path).sort()).toEqual(["/a", "/b"]);
    expect((await match).path).toBe("/b");
    await expect(sink.waitFor(5, 30)).rejects.toThrow(
      "timed out after 30 ms waiting for 5 notification requests; 2 recorded",
    );
  });

  it("forgets requests and rules on reset", async () => {
    sink.respond("/x", { status: 503 });
    await fetch(`${sink.url}/x`);
    sink.reset();
    expect(sink.requests).toEqual([]);
    expect((await fetch(`${sink.url}/x`)).status).toBe(200);
    expect(sink.requests).toHaveLength(1);
  });
});

describe("startNotificationSink with a virtual clock", () => {
  it("waits delays in virtual time", async () => {
    const clock = new VirtualClock();
    const sink = await startNotificationSink({ clock });
    try {
      sink.respond("/slow", { delayMs: 60_000, status: 202 });
      const response = fetch(`${sink.url}/slow`).then((r) => r.status);
      await expect(clock.runUntil(response)).resolves.toBe(202);
      expect(clock.now().toISOString()).toBe("2026-01-05T00:01:00.000Z");
    } finally {
      await sink.close();
    }
  });

  it("closes with a delayed answer pending, and refuses connections afterwards", async () => {
    const clock = new VirtualClock();
    const sink = await startNotificationSink({ clock, defaultResponse: { status: 204, delayMs: 1000 } });
    const pending = fetch(`${sink.url}/never`);
    await sink.waitFor(1);
    await sink.close();
    await expect(pending).rejects.toThrow();
    await expect(fetch(`${sink.url}/after`)).rejects.toThrow();
    expect(clock.pendingTimers()).toEqual([]);
  });
});
