import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** What to tell a developer whose machine has no Prometheus. */
export const INSTALL_HINT =
  "install Debian's Prometheus (`sudo apt-get install -y prometheus`) or set PROMETHEUS_BIN to a prometheus binary";

/** The prometheus binary: $PROMETHEUS_BIN, else the first `prometheus` on PATH, else undefined. */
export function findPrometheus(): string | undefined {
  const candidates = [
    process.env["PROMETHEUS_BIN"],
    ...(process.env["PATH"] ?? "").split(delimiter).map((d) => join(d, "prometheus")),
  ];
  return candidates.find((c): c is string => {
    if (!c) return false;
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** A running Prometheus of the test's own. */
export interface RealPrometheus {
  /** the base URL including the route prefix, e.g. `http://127.0.0.1:40123/prometheus` */
  readonly url: string;
  /** runs an instant query through the HTTP API (GET) and gives the vector's samples */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** polls `check` every 200 ms until it returns true; fails after `ms` */
  waitFor(what: string, check: () => Promise<boolean>, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/** How to start it. */
export interface RealPrometheusOptions {
  readonly binary: string;
  /** rule file content (YAML) */
  readonly rules: string;
  /** `host:port` targets scraped every second as job `kured` */
  readonly scrapeTargets?: readonly string[];
  /** served under this path (`--web.external-url`), to exercise the client's prefix handling */
  readonly routePrefix?: string;
}

/**
 * Starts Prometheus on a free loopback port with a temporary config and storage, evaluating rules
 * and scraping every second, and resolves once it is ready.
 */
export async function startRealPrometheus(options: RealPrometheusOptions): Promise<RealPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), "kured-prometheus-"));
  const port = await freePort();
  const prefix = options.routePrefix ?? "";
  const url = `http://127.0.0.1:${port}${prefix}`;
  writeFileSync(join(dir, "rules.yml"), options.rules);
  const targets = options.scrapeTargets ?? [];
  writeFileSync(
    join(dir, "prometheus.yml"),
    [
      "global:",
      "  scrape_interval: 1s",
      "  evaluation_interval: 1s",
      "rule_files:",
      `  - ${JSON.stringify(join(dir, "rules.yml"))}`,
      "scrape_configs:",
      ...(targets.length === 0
        ? ["  []"]
        : [
            "  - job_name: kured",
            "    honor_labels: true",
            "    scrape_interval: 1s",
            "    static_configs:",
            `      - targets: ${JSON.stringify(targets)}`,
          ]),
      "",
    ].join("\n"),
  );
  let stderr = "";
  const child: ChildProcess = spawn(
    options.binary,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=${url}/`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4000);
  });
  let exited: string | undefined;
  const gone = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exited = `prometheus exited (${signal ?? code}): ${stderr}`;
      resolve();
    });
    child.once("error", (e) => {
      exited = `cannot start prometheus: ${e.message}`;
      resolve();
    });
  });

  const stop = async (): Promise<void> => {
    if (exited === undefined) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const waitFor = async (what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> => {
    const deadline = Date.now() + ms;
    let last: unknown;
    for (;;) {
      if (exited !== undefined) throw new Error(`${what}: ${exited}`);
      try {
        if (await check()) return;
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline) {
        throw new Error(`${what}: not within ${ms} ms${last ? ` (${String(last)})` : ""}; prometheus said: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  const query = async (promql: string) => {
    const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql })}`);
    const body = (await res.json()) as {
      data?: { result?: { metric: Record<string, string>; value: [number, string] }[] };
    };
    return body.data?.result ?? [];
  };

  try {
    await waitFor("prometheus ready", async () => (await fetch(`${url}/-/ready`)).ok);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, query, waitFor, stop };
}
