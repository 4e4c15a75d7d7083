import { systemClock } from "@kured/core";
import { startNotificationSink } from "@kured/testkit";
import { describeNotifierContract } from "@kured/testkit/contracts";
import { captureLog } from "./__fixtures__/capture-log.js";
import { parseNotifyUrl } from "./notify-targets.js";
import { createUrlNotifier } from "./url-notifier.js";

const TOKEN = "contractTOKENabcdefghijkl";
const OPTIONS = { slackUsername: "kured", slackChannel: "" };
const TEMPLATES = {
  draining: "Draining node %s",
  rebooting: "Rebooting node %s",
  uncordoned: "Node %s rebooted & uncordoned successfully!",
  blocked: "Reboot of %s blocked: {reason}",
  "drain-failed": "Draining %s failed: {reason}",
};

/** The notifier for one URL, aimed at the sink through the test seam. */
function notifierFor(url: string, baseUrl: string) {
  return createUrlNotifier({
    id: "notify-slack-1",
    target: parseNotifyUrl(url, OPTIONS),
    templates: TEMPLATES,
    clusterName: "test",
    timeoutMs: 1000,
    clock: systemClock,
    log: captureLog().log,
    baseUrl,
  });
}

describeNotifierContract("a Slack webhook URL notifier against the notification sink", async () => {
  const sink = await startNotificationSink();
  // The three URLs differ only in the token part B, which picks the sink's answer.
  const url = (b: string) => `slack://hook:T0000000A-${b}-${TOKEN}@webhook`;
  sink.respond(/\/B00000FA1L\//, { status: 500, body: `no such hook ${TOKEN}` });
  sink.respond(/\/B0000HANGS\//, { delayMs: 60_000 });
  sink.respond(/\/B000000OK0\//, { status: 200, body: "ok" });
  return {
    notifier: notifierFor(url("B000000OK0"), sink.url),
    failing: notifierFor(url("B00000FA1L"), sink.url),
    hanging: notifierFor(url("B0000HANGS"), sink.url),
    delivered: (event) =>
      sink.waitFor((r) => r.path.includes("B000000OK0") && JSON.stringify(r.json).includes(event.node), 1000),
    secrets: [TOKEN],
    timeoutMs: 3000,
    abortTimeoutMs: 500,
    cleanup: () => sink.close(),
  };
});
