/** The `kured-testkit serve` command. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "./cli.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("kured-testkit serve", () => {
  it("serves simulated nodes, writes a kubeconfig, prints how to use it, stops on SIGINT", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kured-cli-"));
    let out = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    const path = join(dir, "kubeconfig");
    const running = main(["serve", "--nodes", "2", "--kubeconfig", path]);
    for (let i = 0; i < 200 && !out.includes("kubectl get nodes"); i++) await new Promise((r) => setTimeout(r, 10));
    expect(out).toMatch(/API server at http:\/\/127\.0\.0\.1:\d+ with nodes node-1, node-2/);
    expect(out).toContain(`export KUBECONFIG=${path}`);
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    const nodes = await kc.makeApiClient(CoreV1Api).listNode({});
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual(["node-1", "node-2"]);
    process.emit("SIGINT");
    expect(await running).toBe(0);
    expect(out).toContain("stopped");
    rmSync(dir, { recursive: true, force: true });
  });

  it("--busy: other controllers keep writing the Nodes (labels, annotations, heartbeats)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kured-cli-"));
    let out = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    const path = join(dir, "kubeconfig");
    const running = main(["serve", "--nodes", "1", "--busy", "--busy-interval", "10", "--kubeconfig", path]);
    try {
      for (let i = 0; i < 200 && !out.includes("kubectl get nodes"); i++) await new Promise((r) => setTimeout(r, 10));
      expect(out).toContain("busy: other controllers write Nodes, DaemonSets and Events every 10 ms");
      const kc = new KubeConfig();
      kc.loadFromFile(path);
      const core = kc.makeApiClient(CoreV1Api);
      const versions = new Set<string>();
      let node = await core.readNode({ name: "node-1" });
      for (let i = 0; i < 300 && versions.size < 3; i++) {
        node = await core.readNode({ name: "node-1" });
        versions.add(node.metadata?.resourceVersion ?? "");
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(versions.size).toBeGreaterThanOrEqual(3);
      expect(node.metadata?.labels?.["topology.kubernetes.io/zone"]).toBe("busy-zone-a");
      expect(node.metadata?.annotations?.["node.alpha.kubernetes.io/ttl"]).toBe("0");
    } finally {
      process.emit("SIGINT");
      expect(await running).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects bad arguments with exit code 2", async () => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(await main(["serve", "--nodes", "many"])).toBe(2);
    expect(await main(["start"])).toBe(2);
    expect(await main(["serve", "--busy", "--busy-interval", "0"])).toBe(2);
  });
});

describe("the kured-testkit bin", () => {
  const root = fileURLToPath(new URL("../../..", import.meta.url));
  const link = join(root, "node_modules", ".bin", "kured-testkit");

  it("is linked by npm to the committed launcher, which exists before dist/ is built", () => {
    expect(existsSync(link)).toBe(true);
    expect(realpathSync(link)).toBe(fileURLToPath(new URL("../bin/kured-testkit.js", import.meta.url)));
  });

  it("runs the CLI through npm's symlink (npx kured-testkit)", () => {
    // dist/ is built by `npm test` before vitest runs
    const run = spawnSync(process.execPath, [link, "--help"], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^Usage: kured-testkit serve/);
    expect(run.status).toBe(0);
  });
});
