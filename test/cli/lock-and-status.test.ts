import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { runCli } from "@kured/kured";
import { afterEach, describe, expect, it } from "vitest";
import { kubectlPath } from "../support/kube-binaries.js";
import { closeWorld, daemon, HOUR, makeWorld, until, type World } from "../support/world.js";

const run = promisify(execFile);
const kubectl = kubectlPath();
const kubectlThere = await run(kubectl, ["version", "--client"]).then(
  () => true,
  () => false,
);

let world: World | undefined;
afterEach(async () => {
  await closeWorld(world);
  world = undefined;
});

async function kured(args: string[], kubeconfig: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on("data", (b: Buffer) => out.push(b));
  stderr.on("data", (b: Buffer) => err.push(b));
  const code = await runCli([...args, `--kubeconfig=${kubeconfig}`], { stdout, stderr, env: {}, cwd: process.cwd() });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

async function setup(): Promise<{ w: World; kubeconfig: string }> {
  const w = (world = await makeWorld({ nodes: 2, lock: "daemonset" }));
  const kubeconfig = join(mkdtempSync(join(tmpdir(), "kured-cli-")), "kubeconfig");
  await w.cluster.server!.writeKubeconfig(kubeconfig);
  return { w, kubeconfig };
}

describe("kured lock", () => {
  it.skipIf(!kubectlThere && process.env.CI !== "true")(
    "kured lock acquire stops a rollout; kubectl annotate … weave.works/kured-node-lock- resumes it",
    async () => {
      const { w, kubeconfig } = await setup();
      const acquired = await kured(["lock", "acquire", "--reason", "change freeze"], kubeconfig);
      expect(acquired.code, acquired.stderr).toBe(0);
      w.hosts.needsReboot.add("node-1");
      w.hosts.needsReboot.add("node-2");
      await daemon(w, "node-1").start();
      await daemon(w, "node-2", { random: () => 0.3 }).start();
      await w.clock.advance(3 * HOUR);
      expect(w.hosts.reboots.size).toBe(0);
      expect(w.events.some((e) => e.phase === "lock-waiting")).toBe(true);

      const status = await kured(["lock", "status", "--json"], kubeconfig);
      expect(JSON.parse(status.stdout)).toMatchObject({ manual: { reason: "change freeze" }, holders: [] });

      // kured's documented manual unlock
      await run(kubectl, [
        "--kubeconfig",
        kubeconfig,
        "-n",
        "kube-system",
        "annotate",
        "ds",
        "kured",
        "weave.works/kured-node-lock-",
      ]);
      await until(w, () => w.hosts.reboots.get("node-1") === 1 && w.hosts.reboots.get("node-2") === 1, 12 * HOUR);
    },
  );

  it("kured lock release lifts the manual lock; releasing again says it was not held", async () => {
    const { w, kubeconfig } = await setup();
    expect((await kured(["lock", "acquire"], kubeconfig)).code).toBe(0);
    expect((await w.lockState()).manual).toBeDefined();
    const released = await kured(["lock", "release"], kubeconfig);
    expect(released.code).toBe(0);
    expect(released.stdout).toContain("reboots resume");
    expect((await w.lockState()).manual).toBeUndefined();
    const again = await kured(["lock", "release"], kubeconfig);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("not held manually");
  });

  it("kured lock release --node frees a node's slot", async () => {
    const { w, kubeconfig } = await setup();
    const backend = w.lockBackend();
    const got = await backend.acquire({
      holder: "node-1",
      wasUnschedulable: false,
      signal: new AbortController().signal,
    });
    expect(got.acquired).toBe(true);
    const status = await kured(["lock", "status"], kubeconfig);
    expect(status.stdout).toContain("node-1");
    expect((await kured(["lock", "release", "--node", "node-1"], kubeconfig)).code).toBe(0);
    expect((await w.lockState()).holders).toEqual([]);
  });

  it("refuses an unknown action with the usage", async () => {
    const { kubeconfig } = await setup();
    const r = await kured(["lock", "steal"], kubeconfig);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("steal");
  });
});

describe("kured status", () => {
  it("shows the lock holder, nodes with a pending reboot or cordoned by kured, and kured's Events", async () => {
    const { w, kubeconfig } = await setup();
    w.hosts.needsReboot.add("node-1");
    w.hosts.needsReboot.add("node-2");
    await daemon(w, "node-1", {
      kubeEvents: true,
      settings: { annotateNodes: true },
      drain: () => ({ durationMs: HOUR }),
    }).start();
    await daemon(w, "node-2", { kubeEvents: true, settings: { annotateNodes: true }, random: () => 0.3 }).start();
    await until(
      w,
      () =>
        w.events.some((e) => e.node === "node-2" && e.phase === "lock-waiting") &&
        w.events.some((e) => e.node === "node-1" && e.phase === "draining"),
    );
    await w.clock.advance(60_000);
    for (const d of w.daemons.values()) await d.bus.drain();

    const text = await kured(["status"], kubeconfig);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("holders: 1/1");
    expect(text.stdout).toMatch(/node-1\s+yes\s+yes\s+yes/); // ready, cordoned by kured, reboot pending
    expect(text.stdout).toContain("RebootLockWaiting");

    const json = JSON.parse((await kured(["status", "--json"], kubeconfig)).stdout) as {
      lock: { holders: { node: string }[] };
      nodes: { name: string; cordonedByKured: boolean; rebootPending: boolean }[];
      events: { reason: string; node: string }[];
    };
    expect(json.lock.holders.map((h) => h.node)).toEqual(["node-1"]);
    expect(json.nodes.find((n) => n.name === "node-1")).toMatchObject({ cordonedByKured: true, rebootPending: true });
    expect(json.nodes.find((n) => n.name === "node-2")).toMatchObject({ cordonedByKured: false, rebootPending: true });
    expect(json.events.some((e) => e.reason === "Draining" && e.node === "node-1")).toBe(true);
  });
});
