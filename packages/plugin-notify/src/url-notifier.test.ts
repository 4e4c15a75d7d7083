import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { systemClock, type RebootEvent } from "@kured/core";
import { VirtualClock, startNotificationSink, type NotificationSink, type SinkResponse } from "@kured/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureLog, type CapturedLog } from "./__fixtures__/capture-log.js";
import { parseNotifyUrl } from "./notify-targets.js";
import { createUrlNotifier } from "./url-notifier.js";

const TOKEN = "zzTOKENzzabcdefghijklmnop";
const SLACK = `slack://hook:T0000000A-B0000000B-${TOKEN}@webhook`;
const TIMEOUT = 10_000;

const event: RebootEvent = { phase: "rebooting", node: "node-1", at: new Date("2026-01-05T03:00:00Z"), attributes: {} };

/** A port on which nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("a failing endpoint never delays the caller beyond --notify-timeout (virtual clock)", () => {
  let clock: VirtualClock;
  let sink: NotificationSink;
  let captured: CapturedLog;

  beforeEach(async () => {
    clock = new VirtualClock();
    sink = await startNotificationSink({ clock });
    captured = captureLog();
  });
  afterEach(() => sink.close());

  const notifier = (baseUrl: string) =>
    createUrlNotifier({
      id: "notify-slack-1",
      target: parseNotifyUrl(SLACK, { slackUsername: "kured", slackChannel: "" }),
      templates: { rebooting: "Rebooting node %s" },
      clusterName: "",
      timeoutMs: TIMEOUT,
      clock,
      log: captured.log,
      baseUrl,
    });

  /** Runs notify() on the virtual clock; returns the virtual ms it took. */
  async function timed(baseUrl: string): Promise<number> {
    const start = clock.now().getTime();
    const done = notifier(baseUrl).notify(event, new AbortController().signal);
    await clock.runUntil(done);
    return clock.now().getTime() - start;
  }

  const ok: SinkResponse = { status: 200, body: "ok" };

  it.each([
    ["never answers: given up at the timeout", [{ delayMs: 3_600_000 }], 1, TIMEOUT, "no answer within 10000 ms"],
    ["500 then 200: one retry after the default 1 s", [{ status: 500, body: "oops" }, ok], 2, 1000, undefined],
    [
      "503 with Retry-After: 3, twice: retried once, then reported",
      [
        { status: 503, headers: { "retry-after": "3" } },
        { status: 503, headers: { "retry-after": "3" } },
      ],
      2,
      3000,
      "webhook answered 503: {}",
    ],
    [
      "429 with Retry-After beyond the deadline: not retried",
      [{ status: 429, headers: { "retry-after": "30" } }],
      1,
      0,
      "webhook answered 429: {}",
    ],
    [
      "429 with Retry-After as a date",
      [{ status: 429, headers: { "retry-after": "Mon, 05 Jan 2026 00:00:04 GMT" } }, ok],
      2,
      4000,
      undefined,
    ],
    [
      "500, then no answer: the retry is cut at the deadline",
      [{ status: 500 }, { delayMs: 3_600_000 }],
      2,
      TIMEOUT,
      "no answer within 10000 ms",
    ],
    ["400: not retried", [{ status: 400, body: "invalid_payload" }], 1, 0, "webhook answered 400: invalid_payload"],
  ] as const)("%s", async (_name, responses, requests, elapsed, warning) => {
    // The sink uses the rule added last first: add them in reverse.
    for (const r of [...responses].reverse()) sink.respond(() => true, r, { times: 1 });
    expect(await timed(sink.url)).toBe(elapsed);
    expect(sink.requests).toHaveLength(requests);
    const warnings = captured.records().filter((r) => r.level === "warn");
    if (warning === undefined) expect(warnings).toEqual([]);
    else expect(warnings.map((w) => w.error)).toEqual([warning]);
  });

  it("a refused connection costs no waiting and is logged with its system error", async () => {
    expect(await timed(`http://127.0.0.1:${await closedPort()}`)).toBe(0);
    expect(captured.records().map((r) => r.error)).toContain("request failed (ECONNREFUSED)");
  });

  it("the caller's abort ends a hanging request at once", async () => {
    sink.respond(() => true, { delayMs: 3_600_000 });
    const controller = new AbortController();
    const start = clock.now().getTime();
    const done = notifier(sink.url).notify(event, controller.signal);
    await sink.waitFor(1);
    controller.abort(new Error("shutting down"));
    await clock.runUntil(done);
    expect(clock.now().getTime() - start).toBe(0);
    expect(captured.records().map((r) => r.error)).toEqual(["aborted by the caller"]);
  });

  it("leaves no timer behind once it is done", async () => {
    sink.respond(() => true, ok);
    await timed(sink.url);
    expect(clock.pendingTimers()).toEqual([]);
  });
});

describe("which phases are sent", () => {
  const target = parseNotifyUrl("logger://", { slackUsername: "", slackChannel: "" });

  it.each([
    ["draining", true],
    ["rebooting", true],
    ["uncordoned", true],
    ["blocked", false],
    ["drain-failed", true],
    ["lock-acquired", false],
    ["error", false],
  ] as const)("%s → %s", async (phase, sent) => {
    const captured = captureLog();
    const notifier = createUrlNotifier({
      id: "notify-logger-1",
      target,
      templates: {
        draining: "D %s",
        rebooting: "R %s",
        uncordoned: "U %s",
        blocked: "",
        "drain-failed": "F %s {reason}",
      },
      clusterName: "",
      timeoutMs: 1000,
      clock: systemClock,
      log: captured.log,
    });
    expect(notifier.accepts?.({ ...event, phase })).toBe(sent);
    await notifier.notify({ ...event, phase }, new AbortController().signal);
    expect(captured.records().filter((r) => r.msg === "Notification")).toHaveLength(sent ? 1 : 0);
  });
});
