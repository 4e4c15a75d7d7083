/** The daemon's start-up warnings, as kured prints them: after the node ID, before the reboot method. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCluster, type Cluster } from "@kured/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runKuredCli } from "./run-kured-cli.js";

let cluster: Cluster;
let kubeconfig: string;
beforeAll(async () => {
  cluster = await startCluster({ nodes: ["node-1"], inProcess: true });
  kubeconfig = join(mkdtempSync(join(tmpdir(), "kured-startup-")), "kubeconfig");
  await cluster.server!.writeKubeconfig(kubeconfig);
});
afterAll(async () => {
  await cluster?.close();
});

/** Starts the daemon, stops it once its start-up lines are out, and returns its log lines. */
async function startupLines(argv: string[], env: Record<string, string> = {}): Promise<string[]> {
  const run = await runKuredCli(
    [
      "--node-id=node-1",
      `--kubeconfig=${kubeconfig}`,
      "--metrics-port=0",
      "--reboot-sentinel=/nonexistent/reboot-required",
      ...argv,
    ],
    { env, stopWhen: "Reboot command:" },
  );
  expect(run.code, run.stderr).toBe(0);
  return run.stderr.split("\n").filter((l) => l !== "");
}

const mismatch = (lines: string[]): string[] => lines.filter((l) => l.includes("set different label keys"));

describe("pre- and post-reboot label keys", () => {
  it.each([
    [
      "a key only before",
      ["--pre-reboot-node-labels=rebooting=true,zone=a", "--post-reboot-node-labels=zone=a"],
      {},
      ["only in --pre-reboot-node-labels: rebooting"],
    ],
    ["a key only after", ["--post-reboot-node-labels=ready=true"], {}, ["only in --post-reboot-node-labels: ready"]],
    [
      "different keys from KURED_* variables",
      [],
      { KURED_PRE_REBOOT_NODE_LABELS: "a=1,b=2", KURED_POST_REBOOT_NODE_LABELS: "b=3,c=4" },
      ["only in --pre-reboot-node-labels: a", "only in --post-reboot-node-labels: c"],
    ],
  ] as const)("%s: one warning after the node ID, naming the keys", async (_what, argv, env, mentions) => {
    const lines = await startupLines([...argv], { ...env });
    const warnings = mismatch(lines);
    expect(warnings).toHaveLength(1);
    const warning = warnings[0] as string;
    expect(warning).toMatch(/WARN/);
    for (const m of mentions) expect(warning).toContain(m);
    const at = lines.indexOf(warning);
    expect(lines.findIndex((l) => l.includes("Node ID: node-1"))).toBe(at - 1);
    expect(lines.findIndex((l) => l.includes("Reboot method:"))).toBeGreaterThan(at);
  });

  it.each([
    ["no labels", []],
    [
      "the same keys with other values",
      ["--pre-reboot-node-labels=rebooting=true,zone=a", "--post-reboot-node-labels=zone=a,rebooting=false"],
    ],
  ])("%s: no warning", async (_what, argv) => {
    const lines = await startupLines([...argv]);
    expect(lines.some((l) => l.includes("Node ID: node-1"))).toBe(true);
    expect(mismatch(lines)).toEqual([]);
  });
});
