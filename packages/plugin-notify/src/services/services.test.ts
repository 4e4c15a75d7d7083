import { startNotificationSink, type NotificationSink, type RecordedRequest } from "@kured/testkit";
import { systemClock, type RebootEvent } from "@kured/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLog } from "../__fixtures__/capture-log.js";
import { MESSAGE, SERVICE_CASES, type ExpectedRequest, type ServiceCase } from "../__fixtures__/service-cases.js";
import type { HttpRequest } from "../http-request.js";
import { parseNotifyUrl } from "../notify-targets.js";
import { createUrlNotifier } from "../url-notifier.js";

const OPTIONS = { slackUsername: "kured", slackChannel: "" };

/** Builds the requests a case's URL produces, answering each as the case says (no network). */
async function buildRequests(c: ServiceCase): Promise<HttpRequest[]> {
  const target = parseNotifyUrl(c.url, OPTIONS);
  const sent: HttpRequest[] = [];
  const { log } = captureLog();
  await target.deliver(MESSAGE, {
    log,
    signal: new AbortController().signal,
    timeoutMs: 1000,
    http: async (request) => {
      sent.push(request);
      const reply = c.reply(new URL(request.url).pathname);
      const body =
        reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
      return { status: reply.status, headers: new Headers(), text: body };
    },
  });
  return sent;
}

function lowerKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function expectBuilt(actual: HttpRequest, expected: ExpectedRequest): void {
  expect(actual.method).toBe(expected.method);
  expect(new URL(actual.url).href).toBe(new URL(expected.url).href);
  expect(lowerKeys(actual.headers)).toMatchObject(expected.headers ?? {});
  if (expected.json !== undefined) expect(JSON.parse(actual.body ?? "null")).toEqual(expected.json);
  if (expected.form !== undefined)
    expect(Object.fromEntries(new URLSearchParams(actual.body ?? ""))).toEqual(expected.form);
  if (expected.text !== undefined) expect(actual.body ?? "").toBe(expected.text);
}

function expectReceived(actual: RecordedRequest, expected: ExpectedRequest): void {
  const url = new URL(expected.url);
  expect(actual.method).toBe(expected.method);
  expect(actual.path).toBe(url.pathname);
  expect(actual.query.toString()).toBe(url.searchParams.toString());
  expect(actual.headers).toMatchObject(expected.headers ?? {});
  if (expected.json !== undefined) expect(actual.json).toEqual(expected.json);
  if (expected.form !== undefined) expect(actual.form).toEqual(expected.form);
  if (expected.text !== undefined) expect(actual.text).toBe(expected.text);
}

const event: RebootEvent = { phase: "rebooting", node: "node-1", at: new Date("2026-01-05T03:00:00Z"), attributes: {} };

describe("every service builds the documented request (shoutrrr.md §2)", () => {
  it("covers every shoutrrr v0.8 service but smtp and logger (tested on their own)", () => {
    const services = new Set(SERVICE_CASES.map((c) => parseNotifyUrl(c.url, OPTIONS).service));
    expect([...services].sort()).toEqual(
      [
        "bark",
        "discord",
        "generic",
        "googlechat",
        "gotify",
        "ifttt",
        "join",
        "matrix",
        "mattermost",
        "ntfy",
        "opsgenie",
        "pushbullet",
        "pushover",
        "rocketchat",
        "slack",
        "teams",
        "telegram",
        "zulip",
      ].sort(),
    );
  });

  it.each(SERVICE_CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const built = await buildRequests(c);
    expect(built).toHaveLength(c.expected.length);
    built.forEach((request, i) => expectBuilt(request, c.expected[i] as ExpectedRequest));
    for (const request of built) expect(request.url).not.toMatch(/^[a-z]+:\/\/[^/]*@/i); // fetch refuses credentials in URLs
  });
});

describe("every service's request reaches a real HTTP server (the notification sink)", () => {
  let sink: NotificationSink;
  beforeAll(async () => {
    sink = await startNotificationSink();
  });
  afterAll(() => sink.close());

  it.each(SERVICE_CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    sink.reset();
    sink.respond(
      () => true,
      (r) => c.reply(r.path),
    );
    const captured = captureLog();
    const notifier = createUrlNotifier({
      id: "notify-test-1",
      target: parseNotifyUrl(c.url, OPTIONS),
      templates: { rebooting: "Rebooting node %s" },
      clusterName: "",
      timeoutMs: 5000,
      clock: systemClock,
      log: captured.log,
      baseUrl: sink.url,
    });
    await notifier.notify(event, new AbortController().signal);
    const received = sink.requests;
    expect(received).toHaveLength(c.expected.length);
    received.forEach((request, i) => expectReceived(request, c.expected[i] as ExpectedRequest));
    expect(captured.records().filter((r) => r.level === "warn")).toEqual([]);
  });
});
