import { KuredError, PluginHost, createLogger, loadConfig, systemClock, type RebootEvent } from "@kured/core";
import { describe, expect, it } from "vitest";
import { captureLog } from "./__fixtures__/capture-log.js";
import notifyPlugin, { notifyOptions } from "./index.js";

const SLACK = "slack://hook:T0000000A-B0000000B-abcdefghijklmnopqrstuvwx@webhook";
const SECRET = "pluginSECRETabcdefghijklmn";

/** Loads the plugin's configuration from flags and variables, registers it, and returns the host. */
async function start(argv: readonly string[], env: Record<string, string> = {}) {
  const { config } = await loadConfig({ argv, env, builtins: [notifyPlugin], cwd: process.cwd() });
  const captured = captureLog();
  const host = await PluginHost.start({
    plugins: [notifyPlugin],
    config: config!,
    services: { node: "node-1", clock: systemClock, log: captured.log },
  });
  return { host, captured };
}

async function configError(argv: readonly string[], env: Record<string, string> = {}): Promise<KuredError> {
  try {
    await start(argv, env);
  } catch (e) {
    if (e instanceof KuredError) return e;
    throw e;
  }
  throw new Error("expected a KuredError");
}

describe("the notify plugin", () => {
  it.each([
    ["no URL: no notifier", [], {}, []],
    ["one --notify-url", [`--notify-url=${SLACK}`], {}, ["notify-slack-1"]],
    [
      "--notify-url repeated: one notifier each, numbered per service",
      [`--notify-url=${SLACK}`, "--notify-url=logger://", `--notify-url=${SLACK}?color=good`],
      {},
      ["notify-slack-1", "notify-logger-1", "notify-slack-2"],
    ],
    ["KURED_NOTIFY_URL with one URL", [], { KURED_NOTIFY_URL: SLACK }, ["notify-slack-1"]],
    [
      "KURED_NOTIFY_URL with one URL per line",
      [],
      { KURED_NOTIFY_URL: `${SLACK}\nlogger://\n` },
      ["notify-slack-1", "notify-logger-1"],
    ],
    [
      "a comma inside a URL is kept (never a separator)",
      ["--notify-url=smtp://mail.example.com/?from=a@b.c&to=d@e.f,g@h.i"],
      {},
      ["notify-smtp-1"],
    ],
    [
      "--slack-hook-url alone",
      ["--slack-hook-url=https://hooks.slack.com/services/T0000000A/B0000000B/abcdefghijklmnopqrstuvwx"],
      {},
      ["notify-slack-1"],
    ],
  ] as const)("%s", async (_name, argv, env, ids) => {
    const { host } = await start(argv, env);
    expect(host.list("notifier").map((r) => r.id)).toEqual(ids);
    for (const r of host.list("notifier")) expect(r.pluginId).toBe("notify");
  });

  it("warns that --slack-hook-url is deprecated, without showing it", async () => {
    const hook = `https://hooks.slack.com/services/T0000000A/B0000000B/${SECRET}`;
    const { captured } = await start([`--slack-hook-url=${hook}`]);
    const warnings = captured.records().filter((r) => r.level === "warn");
    expect(warnings.map((w) => w.msg)).toEqual(["Deprecated flag(s). Please use --notify-url flag instead."]);
    expect(captured.lines.join("\n")).not.toContain(SECRET);
  });

  it.each([
    [
      "an unknown scheme",
      [`--notify-url=https://hooks.example.com/${SECRET}`],
      {},
      ["--notify-url", 'unknown service "https"', "generic+https://"],
    ],
    ["a bad token", [`--notify-url=slack://hook:x-${SECRET}@webhook`], {}, ["--notify-url", "invalid format"]],
    [
      "an unknown query key",
      [`--notify-url=discord://${SECRET}@1234?colour=red`],
      {},
      ["--notify-url", '"colour"', "use only"],
    ],
    [
      "a bad URL from the environment",
      [],
      { KURED_NOTIFY_URL: `slack://hook:x-${SECRET}@webhook` },
      ["KURED_NOTIFY_URL (--notify-url)"],
    ],
    [
      "a --slack-hook-url that does not convert",
      [`--slack-hook-url=https://hooks.slack.com/services/${SECRET}`],
      {},
      ["--slack-hook-url", "three parts"],
    ],
    ["a notify timeout of 0", ["--notify-timeout=0"], {}, ["--notify-timeout", "greater than 0"]],
  ] as const)("refuses %s at start-up, naming the flag, without the secret", async (_name, argv, env, mentions) => {
    const error = await configError(argv, env);
    expect(error.code).toBe("KURED_ERR_CONFIG_INVALID");
    for (const m of mentions) expect(error.message).toContain(m);
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error.problems)).not.toContain(SECRET);
  });

  it("accepts the new flags, and every flag is implemented", async () => {
    const { host } = await start([
      "--notify-url=logger://",
      "--message-template-blocked=Reboot of %s blocked: {reason}",
      "--message-template-drain-failed=Draining {node} failed: {reason}",
      "--cluster-name=prod",
      "--notify-timeout=3s",
      "--slack-username=bot",
      "--slack-channel=#ops",
      "--message-template-drain=D %s",
      "--message-template-reboot=R %s",
      "--message-template-uncordon=U %s",
    ]);
    expect(host.list("notifier")).toHaveLength(1);
    for (const spec of Object.values(notifyOptions)) expect(spec.implemented).toBe(true);
  });

  it("renders each phase with its template, from flags to the log line (logger://)", async () => {
    const lines: string[] = [];
    const log = createLogger({
      format: "json",
      level: "info",
      destination: { write: (l: string) => void lines.push(l) },
    });
    const { config } = await loadConfig({
      argv: [
        "--notify-url=logger://",
        "--cluster-name=prod",
        "--message-template-blocked=[{cluster}] Reboot of %s blocked: {reason}",
        "--message-template-drain-failed=[{cluster}] Draining {node} failed: {reason}",
      ],
      env: {},
      builtins: [notifyPlugin],
      cwd: process.cwd(),
    });
    const host = await PluginHost.start({
      plugins: [notifyPlugin],
      config: config!,
      services: { node: "node-1", clock: systemClock, log },
    });
    const [notifier] = host.resolveAll("notifier");
    const at = new Date(0);
    const reason = { code: "alerts-firing", message: "2 alerts firing" };
    const events: RebootEvent[] = [
      { phase: "draining", node: "node-1", at, attributes: {} },
      { phase: "blocked", node: "node-1", at, reason, attributes: {} },
      { phase: "drain-failed", node: "node-1", at, reason, attributes: {} },
      { phase: "rebooting", node: "node-1", at, attributes: {} },
      { phase: "uncordoned", node: "node-1", at, attributes: {} },
      { phase: "lock-acquired", node: "node-1", at, attributes: {} },
    ];
    for (const e of events) if (notifier!.accepts?.(e) ?? true) await notifier!.notify(e, new AbortController().signal);
    const sent = lines
      .map((l) => JSON.parse(l) as { notification?: string })
      .flatMap((r) => (r.notification ? [r.notification] : []));
    expect(sent).toEqual([
      "Draining node node-1",
      "[prod] Reboot of node-1 blocked: 2 alerts firing",
      "[prod] Draining node-1 failed: 2 alerts firing",
      "Rebooting node node-1",
      "Node node-1 rebooted & uncordoned successfully!",
    ]);
  });
});
