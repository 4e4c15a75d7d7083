import { systemClock, type RebootEvent } from "@kured/core";
import { startNotificationSink, type NotificationSink } from "@kured/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLog } from "./__fixtures__/capture-log.js";
import { SERVICE_CASES } from "./__fixtures__/service-cases.js";
import { parseNotifyUrl } from "./notify-targets.js";
import { createUrlNotifier } from "./url-notifier.js";

const OPTIONS = { slackUsername: "kured", slackChannel: "" };
const event: RebootEvent = { phase: "rebooting", node: "node-1", at: new Date(0), attributes: {} };

describe("no log line ever holds a secret of a URL", () => {
  let sink: NotificationSink;
  const captured = captureLog();

  beforeAll(async () => {
    sink = await startNotificationSink();
    // The far end answers 500 and echoes everything it was sent (path, query, headers, body),
    // the worst case for an error message that quotes the response.
    sink.respond(
      () => true,
      (r) => ({
        status: 500,
        headers: { "retry-after": "0" },
        body: `echo ${r.path}?${r.query.toString()} ${JSON.stringify(r.headers)} ${r.text}`,
      }),
    );
  });
  afterAll(() => sink.close());

  const notify = async (url: string, baseUrl: string): Promise<void> => {
    const notifier = createUrlNotifier({
      id: "notify-test-1",
      target: parseNotifyUrl(url, OPTIONS),
      templates: { rebooting: "Rebooting node %s" },
      clusterName: "",
      timeoutMs: 2000,
      clock: systemClock,
      log: captured.log,
      baseUrl,
    });
    await notifier.notify(event, new AbortController().signal);
  };

  it.each(SERVICE_CASES.map((c) => [c.name, c] as const))(
    "%s: an endpoint that fails and echoes the request",
    async (_n, c) => {
      const before = captured.lines.length;
      await notify(c.url, sink.url);
      const lines = captured.lines.slice(before);
      expect(lines.some((l) => l.includes("Error notifying"))).toBe(true);
      for (const secret of c.secrets) for (const line of lines) expect(line).not.toContain(secret);
    },
  );

  it.each(SERVICE_CASES.map((c) => [c.name, c] as const))("%s: a refused connection", async (_n, c) => {
    const before = captured.lines.length;
    await notify(c.url, "http://127.0.0.1:9");
    const lines = captured.lines.slice(before);
    expect(lines.some((l) => l.includes("Error notifying"))).toBe(true);
    for (const secret of c.secrets) for (const line of lines) expect(line).not.toContain(secret);
  });

  it("holds across every line logged above", () => {
    const all = captured.lines.join("\n");
    expect(captured.lines.length).toBeGreaterThanOrEqual(2 * SERVICE_CASES.length);
    for (const secret of SERVICE_CASES.flatMap((c) => c.secrets)) expect(all).not.toContain(secret);
  });
});
