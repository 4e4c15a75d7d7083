/**
 * End to end: the third-party example plugin (examples/plugin-blocker-file) loaded by real kured
 * processes from its path, as an operator would load it.
 */
import { spawnSync } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import type { CoreV1Event } from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import { daemonEntry, daemonEntryMissing, REPO_ROOT } from "./support/daemon-entry.js";
import { killAllDaemons } from "./support/daemon-process.js";
import { E2eCluster, e2eSkipReason } from "./support/e2e-cluster.js";

const PLUGIN = "./examples/plugin-blocker-file";
const BLOCK_FILE = "kured-block";

afterAll(killAllDaemons);

/** `kured <args>` run to its end (for commands that do not touch a cluster). */
function kured(args: readonly string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("KURED_")));
  const run = spawnSync(process.execPath, [daemonEntry(), ...args], {
    cwd: REPO_ROOT,
    env: { ...clean, ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("e2e: the example plugin blocker-file", () => {
  const notBuilt = daemonEntryMissing();

  it.for([
    ["--plugin", ["--plugin", PLUGIN, "--help"], {}],
    ["KURED_PLUGIN", ["--help"], { KURED_PLUGIN: PLUGIN }],
  ] as const)("kured --help lists --block-file under the plugin when loaded with %s", ([, args, env], { skip }) => {
    if (notBuilt) skip(notBuilt);
    const { status, stdout, stderr } = kured(args, env);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toContain("block-file — hold a node's reboot while a file exists on it:");
    expect(stdout).toMatch(
      /^ {4}--block-file string {2,}while this file exists .*\(required\) \[\$KURED_BLOCK_FILE\]$/m,
    );
  });

  it("kured refuses to start without --block-file once the plugin is loaded, before contacting a cluster", ({
    skip,
  }) => {
    if (notBuilt) skip(notBuilt);
    const { status, stderr } = kured(["--plugin", PLUGIN, "--node-id=node-1", "--kubeconfig=/nonexistent"]);
    expect(status).toBe(2);
    expect(stderr).toContain("KURED_ERR_CONFIG_INVALID");
    expect(stderr).toContain("--block-file: is required; set --block-file or KURED_BLOCK_FILE");
  });

  it("a node whose block file exists waits with the plugin's reason on its Events while the other node reboots, and reboots once the file is gone", async ({
    skip,
    onTestFinished,
  }) => {
    const why = e2eSkipReason({ cluster: [] });
    if (why) skip(why);
    const e2e = await E2eCluster.start({
      nodes: 2,
      extraArgs: (node, files) => ["--plugin", PLUGIN, `--block-file=${files.nodeFile(node, BLOCK_FILE)}`],
    });
    onTestFinished(() => e2e.close());
    const blockFile = (node: string): string => e2e.nodeFile(node, BLOCK_FILE);
    const [blocked = "", free = ""] = e2e.nodes;

    await writeFile(blockFile(blocked), "nightly backup, until 03:00\n");
    await e2e.requireReboot(blocked, free);
    e2e.startDaemons();

    // the first node is blocked in at least two periods, and the second goes ahead meanwhile
    const blockedEvent = async (): Promise<CoreV1Event | undefined> =>
      (await e2e.nodeEvents(blocked)).find((e) => e.reason === "RebootBlocked");
    await e2e.waitFor(`${free} rebooted and ${blocked} blocked twice by the block file`, async () => {
      const event = await blockedEvent();
      return (event?.count ?? 0) >= 2 && (await e2e.rolloutDone(free));
    });

    const event = (await blockedEvent()) as CoreV1Event;
    expect(event.type).toBe("Warning");
    expect(event.involvedObject).toMatchObject({ kind: "Node", name: blocked });
    expect(event.source?.component).toBe("kured");
    expect(event.message).toContain(`block file ${blockFile(blocked)} exists`);
    expect(event.message).toMatch(/: nightly backup, until 03:00 \(block-file-present\); blocker: block-file$/);
    expect(e2e.rebootCounts()).toEqual({ [blocked]: 0, [free]: 1 });
    expect(e2e.cordons.cordonCounts(), "a blocked node is never cordoned").not.toHaveProperty(blocked);
    expect(e2e.lock.acquisitions(), "a blocked node never takes the lock").toEqual([free]);

    await rm(blockFile(blocked));
    await e2e.waitFor(`${blocked} rebooted once its block file is gone`, () => e2e.rolloutDone(blocked));

    await e2e.expectBlockedThenFree(free, blocked);
  }, 120_000);
});
