/** The `kured-testkit serve` command. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

  it("rejects bad arguments with exit code 2", async () => {
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(await main(["serve", "--nodes", "many"])).toBe(2);
    expect(await main(["start"])).toBe(2);
  });
});
