import { redactUrl, type Notifier, type RebootEvent } from "@kured/core";
import { describe, expect, it } from "vitest";
import { startNotificationSink } from "../sink/notification-sink.js";
import { runContractCheck } from "./contract-check.js";
import { describeNotifierContract, notifierChecks, type NotifierContractFixture } from "./notifier-contract.js";

type Flaw =
  | "bad-id"
  | "leaks-url"
  | "no-timeout"
  | "ignores-abort"
  | "throws-synchronously"
  | "drops-events"
  | "rejects-on-success"
  | "accepts-non-boolean";

const TOKEN = "T000-SECRET-B111";

/** A JSON webhook notifier with its own timeout, correct unless given flaws. */
function webhook(url: string, flaws: readonly Flaw[]): Notifier {
  const has = (f: Flaw): boolean => flaws.includes(f);
  const ownTimeoutMs = has("ignores-abort") ? 600 : 250;
  const notifier: Notifier = {
    id: has("bad-id") ? "Webhook" : "webhook",
    notify(event: RebootEvent, signal: AbortSignal): Promise<void> {
      if (has("throws-synchronously") && signal.aborted) throw new Error("aborted");
      return (async () => {
        if (has("drops-events")) return;
        const signals = has("ignores-abort") ? [] : [signal];
        if (!has("no-timeout")) signals.push(AbortSignal.timeout(ownTimeoutMs));
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ text: `${event.node}: ${event.phase}` }),
          signal: AbortSignal.any(signals),
        });
        await response.arrayBuffer();
        if (!response.ok || has("rejects-on-success")) {
          const where = has("leaks-url") ? url : redactUrl(url);
          throw new Error(`webhook ${where} answered ${response.status}`);
        }
      })();
    },
  };
  if (has("accepts-non-boolean")) {
    notifier.accepts = (e) => (e.phase === "rebooting" ? "yes" : undefined) as unknown as boolean;
  }
  return notifier;
}

async function fixture(flaws: readonly Flaw[] = []): Promise<NotifierContractFixture> {
  const sink = await startNotificationSink();
  sink.respond(`/fail/${TOKEN}`, { status: 500, body: { error: "no" } });
  sink.respond(`/hang/${TOKEN}`, { delayMs: 60_000 });
  return {
    notifier: webhook(`${sink.url}/ok/${TOKEN}`, flaws),
    failing: webhook(`${sink.url}/fail/${TOKEN}`, flaws),
    hanging: webhook(`${sink.url}/hang/${TOKEN}`, flaws),
    delivered: (event) => sink.waitFor((r) => r.path === `/ok/${TOKEN}` && r.text.includes(event.phase), 500),
    secrets: [TOKEN],
    timeoutMs: 1200,
    abortTimeoutMs: 400,
    cleanup: () => sink.close(),
  };
}

describeNotifierContract("a webhook notifier against the notification sink", () => fixture());

const CHECK = {
  id: "has a kebab-case id",
  delivers: "delivers an event in bounded time",
  phases: "answers accepts() with a boolean and notifies every accepted phase",
  aborted: "honours an already aborted signal (rejects or returns promptly, never hangs)",
  failing: "fails without revealing secrets when the endpoint says no",
  hanging: "gives up on an endpoint that never answers within its own timeout",
  midFlight: "stops promptly when its signal aborts mid-flight",
} as const;

describe("notifierChecks", () => {
  it("names every check once", () => {
    expect(notifierChecks.map((c) => c.name).sort()).toEqual(Object.values(CHECK).sort());
  });

  // Concurrent: each case mostly waits for timeouts, on servers of its own.
  it.concurrent.each<[Flaw, string[]]>([
    ["bad-id", [CHECK.id]],
    ["leaks-url", [CHECK.failing]],
    ["no-timeout", [CHECK.hanging]],
    ["ignores-abort", [CHECK.midFlight]],
    ["throws-synchronously", [CHECK.aborted]],
    ["drops-events", [CHECK.delivers]],
    ["rejects-on-success", [CHECK.delivers, CHECK.phases]],
    ["accepts-non-boolean", [CHECK.phases]],
  ])("catches a notifier with the flaw %s", async (flaw, expected) => {
    // Every check builds its own fixture, so they can run side by side.
    const outcomes = await Promise.all(notifierChecks.map((check) => runContractCheck(check, () => fixture([flaw]))));
    const failed = notifierChecks.filter((_, i) => outcomes[i]?.status === "failed").map((c) => c.name);
    expect(failed).toEqual(expect.arrayContaining(expected));
  });
});
