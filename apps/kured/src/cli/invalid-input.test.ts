import { createServer, type Server } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKured } from "./run-kured.fixture.js";

// Every case runs with a kubeconfig and in-cluster variables that point at a loopback listener
// that counts connections: bad input must be refused before anything is contacted.
let trap: Server;
let connections = 0;
let env: Record<string, string> = {};

beforeAll(async () => {
  trap = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => trap.listen(0, "127.0.0.1", resolve));
  const port = (trap.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), "kured-invalid-"));
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      `clusters: [{ name: trap, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]`,
      "users: [{ name: trap, user: { token: nope } }]",
      "contexts: [{ name: trap, context: { cluster: trap, user: trap } }]",
      "current-context: trap",
    ].join("\n"),
  );
  env = { KUBECONFIG: kubeconfig, KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(port) };
});

afterAll(async () => {
  await new Promise<void>((resolve) => trap.close(() => resolve()));
  expect(connections).toBe(0);
});

type Case = readonly [
  name: string,
  argv: readonly string[],
  extraEnv: Record<string, string>,
  mentions: readonly string[],
];

const base = ["--node-id=node-a"];

// [what is wrong, flags, KURED_* variables, what the message must name (the flag first)]
const CASES: readonly Case[] = [
  ["period of zero", ["--period=0"], {}, ["--period", '"0"']],
  ["negative period", ["--period=-1h"], {}, ["--period", '"-1h"']],
  ["bare number as duration", ["--period=90"], {}, ["--period", "missing unit"]],
  ["unknown duration unit", ["--period=1d"], {}, ["--period", '"1d"']],
  ["word as duration", ["--period=abc"], {}, ["--period", '"abc"']],
  ["empty duration", ["--period="], {}, ["--period"]],
  ["bad lock ttl", ["--lock-ttl=5x"], {}, ["--lock-ttl", '"5x"']],
  ["negative lock ttl", ["--lock-ttl=-5m"], {}, ["--lock-ttl", '"-5m"']],
  ["malformed release delay", ["--lock-release-delay=1..5s"], {}, ["--lock-release-delay"]],
  ["unitless drain delay", ["--drain-delay=10"], {}, ["--drain-delay", '"10"']],
  ["reboot delay without number", ["--reboot-delay=ms"], {}, ["--reboot-delay"]],
  ["negative drain timeout", ["--drain-timeout=-1s"], {}, ["--drain-timeout"]],
  ["period of zero from the environment", [], { KURED_PERIOD: "0" }, ["KURED_PERIOD", "--period"]],
  ["word as lock ttl from the environment", [], { KURED_LOCK_TTL: "forever" }, ["KURED_LOCK_TTL", '"forever"']],
  ["concurrency of zero", ["--concurrency=0"], {}, ["--concurrency", '"0"']],
  ["negative concurrency", ["--concurrency=-2"], {}, ["--concurrency", '"-2"']],
  ["word as concurrency", ["--concurrency=two"], {}, ["--concurrency", '"two"']],
  ["fraction as concurrency", ["--concurrency=1.5"], {}, ["--concurrency", '"1.5"']],
  ["signal of zero", ["--reboot-signal=0"], {}, ["--reboot-signal", '"0"']],
  ["negative signal", ["--reboot-signal=-9"], {}, ["--reboot-signal"]],
  ["signal above SIGRTMAX", ["--reboot-signal=65"], {}, ["--reboot-signal", '"65"']],
  ["port above 65535", ["--metrics-port=70000"], {}, ["--metrics-port", '"70000"']],
  ["word as port", ["--metrics-port=http"], {}, ["--metrics-port", '"http"']],
  ["word as grace period", ["--drain-grace-period=abc"], {}, ["--drain-grace-period"]],
  ["negative skip-wait timeout", ["--skip-wait-for-delete-timeout=-5"], {}, ["--skip-wait-for-delete-timeout"]],
  ["hex int from the environment (decimal only, as kured)", [], { KURED_CONCURRENCY: "0x2" }, ["KURED_CONCURRENCY"]],
  ["word as port from the environment", [], { KURED_METRICS_PORT: "eighty" }, ["KURED_METRICS_PORT"]],
  ["yes as a boolean", ["--force-reboot=yes"], {}, ["--force-reboot", '"yes"']],
  ["2 as a boolean", ["--annotate-nodes=2"], {}, ["--annotate-nodes", '"2"']],
  ["on as a boolean", ["--alert-firing-only=on"], {}, ["--alert-firing-only"]],
  [
    "maybe as a boolean from the environment",
    [],
    { KURED_ALERT_FILTER_MATCH_ONLY: "maybe" },
    ["KURED_ALERT_FILTER_MATCH_ONLY"],
  ],
  ["empty boolean", ["--force-reboot="], {}, ["--force-reboot"]],
  ["unknown day name", ["--reboot-days=xyz"], {}, ["--reboot-days", "xyz"]],
  ["day number 7", ["--reboot-days=7"], {}, ["--reboot-days", "7"]],
  ["one bad day among good ones", ["--reboot-days=mon,funday"], {}, ["--reboot-days", "funday"]],
  ["negative day number", ["--reboot-days=-1"], {}, ["--reboot-days"]],
  ["hour 25", ["--start-time=25:00"], {}, ["--start-time", "25:00"]],
  ["noon as a time", ["--start-time=noon"], {}, ["--start-time", "noon"]],
  ["minute 60", ["--end-time=23:60"], {}, ["--end-time", "23:60"]],
  ["space before pm", ["--end-time=5 pm"], {}, ["--end-time"]],
  ["13pm", ["--start-time=13pm"], {}, ["--start-time", "13pm"]],
  ["24:00", ["--end-time=24:00"], {}, ["--end-time", "24:00"]],
  ["empty start time", ["--start-time="], {}, ["--start-time"]],
  ["unknown time zone", ["--time-zone=Mars/Olympus"], {}, ["--time-zone", "Mars/Olympus"]],
  ["misspelt time zone", ["--time-zone=America/New-York"], {}, ["--time-zone", "America/New-York"]],
  ["unknown time zone from the environment", [], { KURED_TIME_ZONE: "Nowhere" }, ["KURED_TIME_ZONE"]],
  ["unclosed group in a regexp", ["--alert-filter-regexp=(unclosed"], {}, ["--alert-filter-regexp"]],
  ["unclosed class in a regexp", ["--alert-filter-regexp=[a-"], {}, ["--alert-filter-regexp"]],
  ["backreference (not RE2)", ["--alert-filter-regexp=(a)\\1"], {}, ["--alert-filter-regexp"]],
  ["lookahead (not RE2)", ["--alert-filter-regexp=(?=x)"], {}, ["--alert-filter-regexp"]],
  ["unclosed set in a pod selector", ["--blocking-pod-selector=app in (a"], {}, ["--blocking-pod-selector"]],
  ["selector without a key", ["--blocking-pod-selector==x"], {}, ["--blocking-pod-selector"]],
  ["negation without a key", ["--drain-pod-selector=!"], {}, ["--drain-pod-selector"]],
  ["notin without parentheses", ["--drain-pod-selector=tier notin a"], {}, ["--drain-pod-selector"]],
  ["invalid label value in a selector", ["--blocking-pod-selector=app=(x)"], {}, ["--blocking-pod-selector"]],
  ["words as a Prometheus URL", ["--prometheus-url=not a url"], {}, ["--prometheus-url"]],
  ["ftp Prometheus URL", ["--prometheus-url=ftp://prom:9090"], {}, ["--prometheus-url", "ftp"]],
  ["Prometheus URL without scheme", ["--prometheus-url=localhost:9090"], {}, ["--prometheus-url"]],
  ["label without =", ["--pre-reboot-node-labels=maintenance"], {}, ["--pre-reboot-node-labels", "maintenance"]],
  ["second label without =", ["--post-reboot-node-labels=a=b,c"], {}, ["--post-reboot-node-labels"]],
  ["invalid label key", ["--pre-reboot-node-labels=bad key!=x"], {}, ["--pre-reboot-node-labels"]],
  ["empty label key", ["--post-reboot-node-labels==value"], {}, ["--post-reboot-node-labels"]],
  ["quoted empty notify URL", ['--notify-url=""'], {}, ["--notify-url", "quote"]],
  ["quoted empty taint", ['--prefer-no-schedule-taint=""'], {}, ["--prefer-no-schedule-taint", "quote"]],
  [
    "single-quoted empty sentinel command",
    ["--reboot-sentinel-command=''"],
    {},
    ["--reboot-sentinel-command", "quote"],
  ],
  ["quoted empty pod selector", ['--drain-pod-selector=""'], {}, ["--drain-pod-selector", "quote"]],
  ["quoted empty value from the environment", [], { KURED_SLACK_CHANNEL: '""' }, ["KURED_SLACK_CHANNEL", "quote"]],
  ["capitalised reboot method", ["--reboot-method=Signal"], {}, ["--reboot-method", "Signal"]],
  ["unknown reboot method", ["--reboot-method=kexec"], {}, ["--reboot-method", "kexec"]],
  ["empty reboot command", ["--reboot-method=command", "--reboot-command="], {}, ["--reboot-command"]],
  ["blank reboot command", ["--reboot-command=   "], {}, ["--reboot-command"]],
  ["empty DaemonSet name", ["--ds-name="], {}, ["--ds-name"]],
  ["empty DaemonSet namespace", ["--ds-namespace="], {}, ["--ds-namespace"]],
  ["DaemonSet name with upper case", ["--ds-name=Kured"], {}, ["--ds-name", '"Kured"', "DNS-1123 subdomain"]],
  ["DaemonSet name with an underscore from the environment", [], { KURED_DS_NAME: "kured_ds" }, ["KURED_DS_NAME"]],
  ["DaemonSet namespace with a dot", ["--ds-namespace=kube.system"], {}, ["--ds-namespace", "DNS-1123 label"]],
  ["DaemonSet namespace from the environment", [], { KURED_DS_NAMESPACE: "Kube-System" }, ["KURED_DS_NAMESPACE"]],
  ["unknown log format", ["--log-format=xml"], {}, ["--log-format", '"xml"', "text, json"]],
  ["unknown log format from the environment", [], { KURED_LOG_FORMAT: "logfmt" }, ["KURED_LOG_FORMAT", "logfmt"]],
  ["lock annotation with a space", ["--lock-annotation=bad annotation"], {}, ["--lock-annotation"]],
  ["taint key starting with a dash", ["--prefer-no-schedule-taint=-bad"], {}, ["--prefer-no-schedule-taint"]],
  ["misspelt flag", ["--perod=1h"], {}, ["--perod", "--period"]],
  ["boolean value as a separate word", ["--force-reboot", "false"], {}, ["false", "--flag=false"]],
  ["shorthand flag", ["-p"], {}, ["-p"]],
  ["flag without its value", ["--period"], {}, ["--period"]],
];

describe("invalid input is refused before anything is contacted (exit 2, KURED_ERR_CONFIG_INVALID, flag named)", () => {
  it("has at least 60 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(CASES)("%s", async (_name, argv, extraEnv, mentions) => {
    const { code, stderr } = await runKured([...base, ...argv], { ...env, ...extraEnv });
    expect(code).toBe(2);
    expect(stderr).toContain("KURED_ERR_CONFIG_INVALID");
    for (const m of mentions) expect(stderr).toContain(m);
    // one problem here, so exactly one problem line (indented) under the summary line
    expect(stderr.split("\n").filter((l) => l.startsWith("  ")).length).toBe(1);
  });

  it("a missing node id is refused, naming the flag and the variable", async () => {
    const { code, stderr } = await runKured([], env);
    expect(code).toBe(2);
    expect(stderr).toContain("KURED_ERR_CONFIG_INVALID");
    expect(stderr).toContain("--node-id");
    expect(stderr).toContain("KURED_NODE_ID");
  });

  it("reports every problem at once, one line each", async () => {
    const { code, stderr } = await runKured(
      [...base, "--period=0", "--concurrency=0", "--reboot-days=xyz", "--pre-reboot-node-labels=nolabel", "--bogus"],
      env,
    );
    expect(code).toBe(2);
    const lines = stderr.split("\n").filter((l) => l.startsWith("  "));
    expect(lines).toHaveLength(5);
    for (const flag of ["--period", "--concurrency", "--reboot-days", "--pre-reboot-node-labels", "--bogus"]) {
      expect(lines.some((l) => l.includes(flag))).toBe(true);
    }
  });

  it("never shows a secret value in the error", async () => {
    const { stderr } = await runKured(['--notify-url=""', "--slack-hook-url=''"], env);
    expect(stderr).toContain("<redacted>");
  });
});
