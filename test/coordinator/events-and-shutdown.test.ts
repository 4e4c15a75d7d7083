import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { EVENT_REASONS, type Blocker } from "@kured/core";
import { afterEach, describe, expect, it } from "vitest";
import { kubectlPath } from "../support/kube-binaries.js";
import { closeWorld, daemon, makeWorld, MINUTE, readNode, until, type World } from "../support/world.js";

const run = promisify(execFile);
const kubectl = kubectlPath();

let world: World | undefined;
afterEach(async () => {
  await closeWorld(world);
  world = undefined;
});

async function hasKubectl(): Promise<boolean> {
  try {
    await run(kubectl, ["version", "--client"]);
    return true;
  } catch {
    return false;
  }
}

const kubectlThere = await hasKubectl();

describe("Kubernetes Events", () => {
  it.skipIf(!kubectlThere && process.env.CI !== "true")(
    "kubectl describe node shows one Event per phase of a reboot, with its reason",
    async () => {
      const w = (world = await makeWorld({ nodes: 2 }));
      w.hosts.needsReboot.add("node-1");
      w.hosts.needsReboot.add("node-2");
      const a = daemon(w, "node-1", { kubeEvents: true, drain: () => ({ durationMs: 20 * MINUTE }) });
      const b = daemon(w, "node-2", { kubeEvents: true, random: () => 0.2 });
      await a.start();
      await b.start();
      await until(
        w,
        () =>
          (w.hosts.reboots.get("node-1") ?? 0) === 1 &&
          w.events.filter((e) => e.node === "node-1" && e.phase === "lock-released").length === 1,
      );
      await Promise.all([a.bus.drain(), b.bus.drain()]);
      const kubeconfig = join(mkdtempSync(join(tmpdir(), "kured-events-")), "kubeconfig");
      await w.cluster.server!.writeKubeconfig(kubeconfig);
      const { stdout } = await run(kubectl, ["--kubeconfig", kubeconfig, "describe", "node", "node-1"]);
      const events = stdout.slice(stdout.indexOf("Events:"));
      for (const phase of [
        "reboot-required",
        "lock-acquired",
        "draining",
        "rebooting",
        "rebooted",
        "uncordoned",
        "lock-released",
      ] as const) {
        const reason = EVENT_REASONS[phase].reason;
        expect(events.match(new RegExp(`\\b${reason}\\b`, "g"))?.length, `${reason} in:\n${events}`).toBe(1);
      }
      // node-2 waited for the lock: that Event is on node-2, not on node-1
      expect(events).not.toContain(EVENT_REASONS["lock-waiting"].reason);
      const { stdout: second } = await run(kubectl, ["--kubeconfig", kubeconfig, "describe", "node", "node-2"]);
      expect(second).toContain(EVENT_REASONS["lock-waiting"].reason);
    },
  );

  it("a node blocked every period gets one Event whose count grows, not one per period", async () => {
    const w = (world = await makeWorld({ nodes: 1 }));
    w.hosts.needsReboot.add("node-1");
    const blocker: Blocker = {
      id: "always",
      scope: "cluster",
      check: async () => ({ blocked: true, reason: { code: "alerts-active", message: "1 active alerts: [Fire]" } }),
    };
    const d = daemon(w, "node-1", { kubeEvents: true, blockers: [blocker] });
    await d.start();
    await until(w, () => w.events.filter((e) => e.phase === "blocked").length >= 4);
    await d.bus.drain();
    const list = await w.cluster.apis.core.listNamespacedEvent({ namespace: "default" });
    const blocked = list.items.filter((e) => e.reason === EVENT_REASONS.blocked.reason);
    expect(blocked).toHaveLength(1);
    expect(blocked[0]?.count).toBeGreaterThanOrEqual(4);
    expect(blocked[0]?.type).toBe("Warning");
    expect(blocked[0]?.message).toContain("1 active alerts: [Fire]");
    expect(blocked[0]?.involvedObject.uid).toBe((await readNode(w, "node-1")).metadata?.uid);
  });
});

describe("SIGTERM", () => {
  it("in the middle of a drain: stops at once, uncordons and releases the lock", async () => {
    const w = (world = await makeWorld({ nodes: 1 }));
    w.hosts.needsReboot.add("node-1");
    const d = daemon(w, "node-1", { drain: () => ({ durationMs: 30 * MINUTE }) });
    await d.start();
    await until(w, () => w.events.some((e) => e.phase === "draining"));
    await w.clock.advance(MINUTE);
    expect((await readNode(w, "node-1")).spec?.unschedulable).toBe(true);
    await w.clock.runUntil(d.stop());
    expect(d.isRunning).toBe(false);
    expect((await readNode(w, "node-1")).spec?.unschedulable).toBeFalsy();
    expect(w.lock.state().holders).toEqual([]);
    expect(w.hosts.reboots.get("node-1")).toBeUndefined();
  });

  it("while waiting for the lock: stops at once and leaves nothing behind", async () => {
    const w = (world = await makeWorld({ nodes: 1 }));
    w.hosts.needsReboot.add("node-1");
    w.lock.lockManually("maintenance");
    const d = daemon(w, "node-1");
    await d.start();
    await until(w, () => w.events.some((e) => e.phase === "lock-waiting"));
    await w.clock.runUntil(d.stop());
    expect(d.isRunning).toBe(false);
    expect((await readNode(w, "node-1")).spec?.unschedulable).toBeFalsy();
  });
});
