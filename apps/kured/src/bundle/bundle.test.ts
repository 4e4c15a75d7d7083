/**
 * The bundle is what ships (scripts/bundle.ts → dist-bundle/): it is built here into a directory
 * with no node_modules anywhere above it, then run through its entry point (`kured`, the sh
 * script the image calls /usr/bin/kured) as the image would — help, the daemon against an
 * in-process cluster with text and JSON logs, a drain — and its report of what main.mjs evaluates
 * at start is checked against what only some runs need.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startCluster, type Cluster } from "@kured/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

const appDir = fileURLToPath(new URL("../../", import.meta.url));
const env = { PATH: [dirname(process.execPath), process.env.PATH ?? ""].join(delimiter) };

let outdir: string;
let kured: string;

beforeAll(() => {
  if (!existsSync(join(appDir, "dist/main.js"))) throw new Error("apps/kured/dist is missing: run npm run build");
  outdir = join(mkdtempSync(join(tmpdir(), "kured-bundle-test-")), "bundle");
  const r = spawnSync(process.execPath, [join(appDir, "scripts/bundle.ts"), `--outdir=${outdir}`], {
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`bundling failed:\n${r.stdout}${r.stderr}`);
  kured = join(outdir, "kured");
}, 90_000);

afterAll(() => {
  if (outdir) rmSync(dirname(outdir), { recursive: true, force: true });
});

/** What scripts/bundle.ts reports about main.mjs. */
interface StartReport {
  files: string[];
  atStart: Record<string, number>;
  onDemandOnly: Record<string, number>;
  kubeClientExports: string[];
}
const report = (): StartReport => JSON.parse(readFileSync(join(outdir, "start-modules.json"), "utf8")) as StartReport;

describe("the bundle's files", () => {
  it("need nothing outside the bundle directory but Node", () => {
    expect(existsSync(join(dirname(outdir), "node_modules"))).toBe(false);
    const r = spawnSync(kured, ["--help"], { encoding: "utf8", env, cwd: tmpdir() });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("--reboot-sentinel string");
    expect(r.stdout).toContain("--notify-url stringArray");
  });

  it("keep V8's compile cache from the warm-up run", () => {
    expect(existsSync(join(outdir, "compile-cache"))).toBe(true);
  });

  it("hold only the Kubernetes client exports kured names, not the whole library", () => {
    const names = report().kubeClientExports;
    for (const used of ["KubeConfig", "CoreV1Api", "AppsV1Api", "CoordinationV1Api", "PolicyV1Api", "Watch"]) {
      expect(names).toContain(used);
    }
    expect(names).not.toContain("BatchV1Api");
    const meta = JSON.parse(readFileSync(join(outdir, "meta.json"), "utf8")) as {
      outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
    };
    const bundled = Object.values(meta.outputs).flatMap((o) =>
      Object.entries(o.inputs)
        .filter(([, v]) => v.bytesInOutput > 0)
        .map(([k]) => k),
    );
    expect(bundled.some((i) => i.endsWith("client-node/dist/gen/apis/CoreV1Api.js"))).toBe(true);
    expect(bundled.some((i) => i.endsWith("client-node/dist/gen/apis/BatchV1Api.js"))).toBe(false);
    expect(bundled.some((i) => /node_modules\/(vitest|@vitest)\//.test(i))).toBe(false);
  });
});

// What main.mjs evaluates before it parses the command line. The daemon needs the core, its
// plugins' registration code, pino and prom-client (/metrics is always served); the rest only
// some runs need, and must wait for their import(): nodemailer (an smtp:// --notify-url),
// testkit and yaml (`kured simulate`), the status and lock commands.
describe("evaluated when main.mjs starts", () => {
  it.each(["packages/core", "packages/plugin-sentinel", "pino", "tsyringe"])("%s (every run needs it)", (pkg) => {
    expect(Object.keys(report().atStart)).toContain(pkg);
  });

  it.each([
    "nodemailer",
    "packages/testkit",
    "yaml",
    "@kubernetes/client-node",
    "undici",
    "@opentelemetry/api",
    "semver",
  ])("not %s (only some runs need it)", (pkg) => {
    expect(Object.keys(report().atStart)).not.toContain(pkg);
  });

  it("no notifier code without a --notify-url: only the notify plugin's options and registration", () => {
    const meta = JSON.parse(readFileSync(join(outdir, "meta.json"), "utf8")) as {
      outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
    };
    const files = (JSON.parse(readFileSync(join(outdir, "start-modules.json"), "utf8")) as { files: string[] }).files;
    // meta.json names outputs relative to the app's directory, start-modules.json relative to outdir
    const notifyAtStart = Object.entries(meta.outputs)
      .filter(([output]) => files.some((f) => output === f || output.endsWith(`/${f}`)))
      .flatMap(([, { inputs }]) => Object.entries(inputs))
      .filter(([input, { bytesInOutput }]) => bytesInOutput > 0 && /plugin-notify\/dist\//.test(input))
      .map(([input]) => input.replace(/.*plugin-notify\/dist\//, ""))
      .sort();
    expect(notifyAtStart).toContain("index.js");
    expect(notifyAtStart.filter((f) => /services\/|notify-targets|url-notifier|http-send/.test(f))).toEqual([]);
  });
});

describe("the bundled daemon against an in-process cluster", () => {
  let cluster: Cluster;
  let scratch: string;
  const children: ReturnType<typeof spawn>[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ nodes: ["node-1", "node-2"], inProcess: true });
  });
  afterEach(async () => {
    await Promise.all(
      children.splice(0).map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGKILL");
        await exited;
      }),
    );
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  /** Starts the bundled daemon for node-1; `sentinel` creates the sentinel file first. */
  async function daemon(args: string[], options: { sentinel?: boolean } = {}) {
    scratch = mkdtempSync(join(tmpdir(), "kured-bundle-daemon-"));
    const kubeconfig = join(scratch, "kubeconfig");
    await cluster.server?.writeKubeconfig(kubeconfig);
    const sentinel = join(scratch, "reboot-required");
    if (options.sentinel) writeFileSync(sentinel, "");
    const child = spawn(
      kured,
      [
        `--kubeconfig=${kubeconfig}`,
        "--node-id=node-1",
        `--reboot-sentinel=${sentinel}`,
        "--metrics-host=127.0.0.1",
        ...args,
      ],
      { env, stdio: ["ignore", "pipe", "pipe"] },
    );
    children.push(child);
    let output = "";
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    return { child, output: () => output, exited };
  }

  /** A loopback port nothing listens on right now (the daemon does not log the port it got for 0). */
  async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (typeof address !== "object" || !address) throw new Error("no free port");
    return address.port;
  }

  async function until(what: string, check: () => boolean | Promise<boolean>, output: () => string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the daemon wrote:\n${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("logs text lines, serves /healthz and /metrics, checks the sentinel, and stops on SIGTERM", async () => {
    const port = await freePort();
    const d = await daemon([`--metrics-port=${port}`]);
    const get = async (path: string): Promise<string> => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        return res.ok ? await res.text() : "";
      } catch {
        return "";
      }
    };
    await until(
      "kured_reboot_required on /metrics",
      async () => /^kured_reboot_required\{node="node-1"\} 0$/m.test(await get("/metrics")),
      d.output,
    );
    expect(await get("/healthz")).toBe("ok\n");
    expect(d.output()).toMatch(/^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] INFO: Kubernetes Reboot Daemon: \S+ node=node-1$/m);
    d.child.kill("SIGTERM");
    expect(await d.exited).toBe(0);
    expect(d.output()).toMatch(/INFO: Stopped/);
  });

  it("takes the lock, cordons and drains when the sentinel is there (JSON logs)", async () => {
    await cluster.createPod({ name: "web-1", nodeName: "node-1", terminationGracePeriodSeconds: 1 });
    // /bin/true: the reboot is requested and nothing happens, wherever this test runs
    const d = await daemon(["--period=1s", "--metrics-port=0", "--log-format=json", "--reboot-command=/bin/true"], {
      sentinel: true,
    });
    const audit = cluster.server?.audit;
    await until(
      "an eviction",
      () => (audit?.count({ verb: "create", resource: "pods", subresource: "eviction" }) ?? 0) > 0,
      d.output,
    );
    await until("the reboot", () => /"msg":"Triggering reboot for node node-1"/.test(d.output()), d.output);
    expect(audit?.count({ verb: "patch", resource: "daemonsets", name: "kured" })).toBeGreaterThan(0);
    expect(audit?.count({ verb: "patch", resource: "nodes", name: "node-1" })).toBeGreaterThan(0);
    expect(audit?.count({ verb: "create", resource: "events" })).toBeGreaterThan(0);
    expect(audit?.count({ status: 403 }) ?? 0).toBe(0);
    const lines = d
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"));
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
  });
});
