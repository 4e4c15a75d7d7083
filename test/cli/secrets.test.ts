/**
 * No password or token given on the command line or in a KURED_* variable is ever printed: not in
 * the error that refuses it, not in the daemon's log when it is accepted.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCluster, type Cluster } from "@kured/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKuredCli } from "./run-kured-cli.js";

const PASSWORD = "PaSsW0rd-4711";
const TOKEN = "T0kenQuery0123456789";
const SLACK_SECRET = "SeCrEtSlackToken0123456789ab";

function expectNoSecret(run: { stdout: string; stderr: string }, ...secrets: string[]): void {
  for (const secret of secrets) {
    expect(run.stdout).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
  }
}

// [what, flags, KURED_* variables, what the error still names]
const REFUSED: ReadonlyArray<readonly [string, string[], Record<string, string>, string[]]> = [
  [
    "user:password@host without a scheme",
    [`--prometheus-url=user:${PASSWORD}@prom:9090`],
    {},
    ["--prometheus-url", "prom:9090"],
  ],
  [
    "the same from KURED_PROMETHEUS_URL",
    [],
    { KURED_PROMETHEUS_URL: `user:${PASSWORD}@prom` },
    ["KURED_PROMETHEUS_URL"],
  ],
  ["user@host without a scheme", ["--prometheus-url=operator@prom"], {}, ["--prometheus-url", "prom"]],
  [
    "scheme://user:password@host?token= with a scheme Prometheus does not speak",
    [`--prometheus-url=ftp://user:${PASSWORD}@prom:9090/?token=${TOKEN}`],
    {},
    ["--prometheus-url", "ftp://…", "unsupported scheme"],
  ],
  [
    "https://user:password@host and a bearer token file",
    [`--prometheus-url=https://user:${PASSWORD}@prom:9090/`, "--prometheus-bearer-token-file=/nonexistent/token"],
    {},
    ["--prometheus-bearer-token-file", "already has credentials"],
  ],
  [
    "a notify URL with a token, unknown service",
    [`--notify-url=https://hooks.example/x?token=${TOKEN}`],
    {},
    // the fix's list of schemes is not mistaken for URLs to redact
    ["--notify-url", "slack://, smtp://", "generic+https://host/path"],
  ],
  [
    "a notify URL with a token, bad Slack token",
    [`--notify-url=slack://hook:${SLACK_SECRET}@webhook`],
    {},
    ["--notify-url", "slack://…"],
  ],
];

describe("a refused value's secret is not printed", () => {
  it.each(REFUSED)("%s", async (_what, argv, env, names) => {
    const run = await runKuredCli(["--node-id=node-1", ...argv], { env });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain("KURED_ERR_CONFIG_INVALID");
    for (const name of names) expect(run.stderr).toContain(name);
    expectNoSecret(run, PASSWORD, TOKEN, SLACK_SECRET, "operator");
  });
});

describe("an accepted value's secret is not logged", () => {
  let cluster: Cluster;
  let kubeconfig: string;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: ["node-1"], inProcess: true });
    kubeconfig = join(mkdtempSync(join(tmpdir(), "kured-secrets-")), "kubeconfig");
    await cluster.server!.writeKubeconfig(kubeconfig);
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it.each(["text", "json"])("the daemon's start-up log (--log-format=%s)", async (format) => {
    const run = await runKuredCli(
      [
        "--node-id=node-1",
        `--kubeconfig=${kubeconfig}`,
        `--log-format=${format}`,
        "--metrics-port=0",
        "--reboot-sentinel=/nonexistent/reboot-required",
        `--prometheus-url=https://user:${PASSWORD}@127.0.0.1:9/`,
        `--notify-url=slack://hook:T00000000-B00000000-${SLACK_SECRET}@webhook`,
        `--notify-url=generic+https://hooks.example/hook?token=${TOKEN}`,
      ],
      { stopWhen: "Notifications enabled" },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("Notifications enabled");
    expectNoSecret(run, PASSWORD, TOKEN, SLACK_SECRET);
  });
});
