import { kubeClients, NodeAnnotations, type Blocker } from "@kured/core";
import { afterEach, describe, expect, it } from "vitest";
import { phasesOf } from "../support/simulated-daemon.js";
import {
  closeWorld,
  daemon,
  HOUR,
  makeWorld as newWorld,
  MINUTE,
  readNode as node,
  until,
  type World,
} from "../support/world.js";

let world: World | undefined;

afterEach(async () => {
  await closeWorld(world);
  world = undefined;
});

const LOCKS = ["memory", "daemonset", "lease"] as const;

describe.each(LOCKS)("the reboot cycle (%s lock)", (lock) => {
  async function makeWorld(options: Parameters<typeof newWorld>[0] = {}): Promise<World> {
    world = await newWorld({ ...options, lock });
    return world;
  }

  it("checks in kured's order: window, then detectors, then blockers, then the lock", async () => {
    const w = await makeWorld({ nodes: 1 });
    const calls: string[] = [];
    const blocker: Blocker = {
      id: "recording",
      scope: "node",
      check: async () => {
        calls.push("blocker");
        return { blocked: false };
      },
    };
    const hosts = w.hosts;
    const detector = hosts.detector();
    hosts.detector = () => ({
      id: detector.id,
      check: async (ctx) => {
        calls.push("detector");
        return detector.check(ctx);
      },
    });
    // window open 10:00–12:00 UTC only; the virtual clock starts at midnight
    const d = daemon(w, "node-1", { blockers: [blocker], window: { startTime: "10:00", endTime: "12:00" } });
    await d.start();
    await until(w, () => w.clock.now().getUTCHours() >= 9);
    expect(calls).toEqual([]); // outside the window nothing else is asked
    await until(w, () => calls.length > 0);
    expect(calls).toEqual(["detector"]); // no reboot needed: blockers are not asked
    hosts.needsReboot.add("node-1");
    await until(w, () => phasesOf(w.events, "node-1").includes("lock-acquired"));
    expect(calls.slice(-2)).toEqual(["detector", "blocker"]);
    expect(phasesOf(w.events, "node-1").slice(0, 2)).toEqual(["reboot-required", "lock-acquired"]);
  });

  it("a blocked node never takes the lock", async () => {
    const w = await makeWorld({ nodes: 1 });
    w.hosts.needsReboot.add("node-1");
    const blocker: Blocker = {
      id: "always",
      scope: "cluster",
      check: async () => ({ blocked: true, reason: { code: "alerts-firing", message: "1 active alerts: [Fire]" } }),
    };
    const d = daemon(w, "node-1", { blockers: [blocker], settings: { annotateNodes: true } });
    await d.start();
    await until(w, () => phasesOf(w.events, "node-1").filter((p) => p === "blocked").length >= 3);
    expect((await w.lockState()).holders).toEqual([]);
    expect(phasesOf(w.events, "node-1")).not.toContain("lock-acquired");
    const n = await node(w, "node-1");
    expect(n.spec?.unschedulable).toBeFalsy();
    // kured writes its progress annotations before the blockers, so blocked nodes show them too
    expect(n.metadata?.annotations?.[NodeAnnotations.rebootInProgress]).toBeDefined();
  });

  it("taints a node only while it waits for a busy lock, and removes the taint after", async () => {
    const w = await makeWorld({ nodes: 2 });
    w.hosts.needsReboot.add("node-1");
    w.hosts.needsReboot.add("node-2");
    const taint = "weave.works/kured-node-reboot";
    const a = daemon(w, "node-1", {
      settings: { preferNoScheduleTaint: taint },
      drain: () => ({ durationMs: 30 * MINUTE }),
    });
    const b = daemon(w, "node-2", { settings: { preferNoScheduleTaint: taint }, random: () => 0.5 });
    await a.start();
    await b.start();
    await until(w, () => phasesOf(w.events, "node-2").includes("lock-waiting"));
    expect((await node(w, "node-2")).spec?.taints?.map((t) => [t.key, t.effect])).toContainEqual([
      taint,
      "PreferNoSchedule",
    ]);
    expect((await node(w, "node-1")).spec?.taints ?? []).toEqual([]);
    await until(
      w,
      async () =>
        (w.hosts.reboots.get("node-2") ?? 0) === 1 &&
        (await w.lockState()).holders.length === 0 &&
        !w.events.at(-1)?.phase.startsWith("lock-acq"),
    );
    await until(w, async () => ((await node(w, "node-2")).spec?.taints ?? []).length === 0);
  });

  it("a node cordoned before stays cordoned after its reboot, and still gets the post-reboot labels", async () => {
    const w = await makeWorld({ nodes: 1 });
    const { core, k8s } = await kubeClients(w.cluster.kubeConfig);
    await core.patchNode(
      { name: "node-1", body: { spec: { unschedulable: true } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    w.hosts.needsReboot.add("node-1");
    const d = daemon(w, "node-1", { settings: { postRebootLabels: [{ key: "kured.dev/rebooted", value: "yes" }] } });
    await d.start();
    await until(w, () => phasesOf(w.events, "node-1").includes("lock-released"));
    const n = await node(w, "node-1");
    expect(w.hosts.reboots.get("node-1")).toBe(1);
    expect(n.spec?.unschedulable).toBe(true);
    expect(n.metadata?.labels?.["kured.dev/rebooted"]).toBe("yes");
    expect(phasesOf(w.events, "node-1")).not.toContain("uncordoned");
    expect(n.metadata?.annotations?.[NodeAnnotations.unschedulableBeforeDrain]).toBeUndefined();
  });

  it("a failed drain uncordons at once and releases the lock, and retries next period", async () => {
    const w = await makeWorld({ nodes: 1 });
    w.hosts.needsReboot.add("node-1");
    let fail = true;
    const d = daemon(w, "node-1", { drain: () => ({ fail, durationMs: 10 * MINUTE }) });
    await d.start();
    await until(w, () => phasesOf(w.events, "node-1").includes("drain-failed"));
    const failedAt = w.clock.now().getTime();
    await until(w, () => phasesOf(w.events, "node-1").includes("lock-released"));
    expect(w.clock.now().getTime() - failedAt).toBeLessThan(MINUTE);
    expect((await node(w, "node-1")).spec?.unschedulable).toBeFalsy();
    expect((await w.lockState()).holders).toEqual([]);
    expect(w.hosts.reboots.get("node-1")).toBeUndefined();
    fail = false;
    await until(w, () => w.hosts.reboots.get("node-1") === 1);
  });

  it("--force-reboot reboots even when the drain fails", async () => {
    const w = await makeWorld({ nodes: 1 });
    w.hosts.needsReboot.add("node-1");
    const d = daemon(w, "node-1", { drain: () => ({ fail: true }), settings: { forceReboot: true } });
    await d.start();
    await until(w, () => w.hosts.reboots.get("node-1") === 1);
    expect(phasesOf(w.events, "node-1")).toContain("drain-failed");
    await until(w, async () => (await w.lockState()).holders.length === 0 && d.isRunning);
    await until(w, async () => (await node(w, "node-1")).spec?.unschedulable !== true);
  });

  it("a lock TTL that expires during the reboot still ends with the node uncordoned", async () => {
    const w = await makeWorld({ nodes: 1, ttlMs: 5 * MINUTE });
    w.hosts.needsReboot.add("node-1");
    const d = daemon(w, "node-1", { downForMs: 30 * MINUTE });
    await d.start();
    await until(w, () => w.hosts.reboots.get("node-1") === 1);
    await until(w, () => d.isRunning && w.clock.now().getTime() > 0);
    await until(w, async () => {
      const n = await node(w, "node-1");
      return (
        n.spec?.unschedulable !== true &&
        n.metadata?.annotations?.[NodeAnnotations.unschedulableBeforeDrain] === undefined
      );
    });
    expect((await w.lockState()).holders).toEqual([]);
  });

  it("the window closing during a long drain: no reboot, node uncordoned, lock released", async () => {
    const w = await makeWorld({ nodes: 1 });
    w.hosts.needsReboot.add("node-1");
    // open 01:00–02:00; the drain takes 90 minutes
    const d = daemon(w, "node-1", {
      window: { startTime: "01:00", endTime: "02:00" },
      drain: () => ({ durationMs: 90 * MINUTE }),
    });
    await d.start();
    await until(w, () => phasesOf(w.events, "node-1").includes("lock-released"));
    expect(w.hosts.reboots.get("node-1")).toBeUndefined();
    expect(w.events.some((e) => e.phase === "blocked" && e.reason?.code === "window-closed")).toBe(true);
    expect((await node(w, "node-1")).spec?.unschedulable).toBeFalsy();
    expect((await w.lockState()).holders).toEqual([]);
  });

  it("releases the lock only after the node is Ready again", async () => {
    const w = await makeWorld({ nodes: 1 });
    w.hosts.needsReboot.add("node-1");
    // the daemon is back after the reboot, but the kubelet says NotReady for another 20 minutes
    const d = daemon(w, "node-1", { notReadyAfterBootMs: 20 * MINUTE, settings: { postRebootReadyTimeoutMs: HOUR } });
    await d.start();
    await until(w, () => w.hosts.reboots.get("node-1") === 1 && d.isRunning);
    const backAt = w.clock.now().getTime();
    await w.clock.advance(10 * MINUTE);
    expect((await w.lockState()).holders.map((h) => h.holder)).toEqual(["node-1"]);
    await until(w, async () => (await w.lockState()).holders.length === 0);
    expect(w.clock.now().getTime() - backAt).toBeGreaterThanOrEqual(20 * MINUTE);
    expect((await node(w, "node-1")).spec?.unschedulable).toBeFalsy();
  });

  it("releases the lock anyway, with a warning, when the node stays NotReady past --post-reboot-ready-timeout", async () => {
    const w = await makeWorld({ nodes: 1 });
    w.hosts.needsReboot.add("node-1");
    const d = daemon(w, "node-1", {
      notReadyAfterBootMs: 3 * HOUR,
      settings: { postRebootReadyTimeoutMs: 10 * MINUTE },
    });
    await d.start();
    await until(w, () => w.hosts.reboots.get("node-1") === 1 && d.isRunning);
    const backAt = w.clock.now().getTime();
    await until(w, async () => (await w.lockState()).holders.length === 0);
    const waited = w.clock.now().getTime() - backAt;
    expect(waited).toBeGreaterThanOrEqual(10 * MINUTE);
    expect(waited).toBeLessThan(11 * MINUTE);
    expect(w.events.some((e) => e.phase === "error" && e.reason?.code === "node-not-ready")).toBe(true);
  });

  it("a failing reboot command gives the node back and releases the lock, then retries a period later", async () => {
    const w = await makeWorld({ nodes: 1 });
    w.hosts.needsReboot.add("node-1");
    let failures = 1;
    const d = daemon(w, "node-1", {
      onReboot: () => {
        if (failures > 0) {
          failures--;
          throw new Error("reboot command /bin/systemctl reboot exited 1: Failed to connect to bus");
        }
      },
    });
    await d.start();
    await until(w, () => w.events.some((e) => e.phase === "error" && e.reason?.code === "reboot-failed"));
    const failedAt = w.clock.now().getTime();
    await until(w, () => phasesOf(w.events, "node-1").includes("lock-released"));
    expect((await node(w, "node-1")).spec?.unschedulable).toBeFalsy();
    expect((await w.lockState()).holders).toEqual([]);
    expect(phasesOf(w.events, "node-1").filter((p) => p === "draining")).toHaveLength(1);
    await until(w, () => w.hosts.reboots.get("node-1") === 1);
    expect(w.clock.now().getTime() - failedAt).toBeGreaterThanOrEqual(HOUR - MINUTE);
  });

  it.skipIf(lock === "memory")(
    "a waiter that becomes blocked leaves the queue, so the next waiter is not held up",
    async () => {
      const w = await makeWorld({ nodes: 3 });
      for (const n of ["node-1", "node-2", "node-3"]) w.hosts.needsReboot.add(n);
      let node2Blocked = false;
      const blocker: Blocker = {
        id: "switch",
        scope: "node",
        check: async (ctx) =>
          ctx.node === "node-2" && node2Blocked
            ? { blocked: true, reason: { code: "maintenance", message: "node-2 is busy" } }
            : { blocked: false },
      };
      await daemon(w, "node-1", { blockers: [blocker], drain: () => ({ durationMs: 30 * MINUTE }) }).start();
      await daemon(w, "node-2", { blockers: [blocker], random: () => 0.1 }).start();
      await daemon(w, "node-3", { blockers: [blocker], random: () => 0.2 }).start();
      await until(w, async () => (await w.lockState()).queue.map((q) => q.node).join() === "node-2,node-3");
      node2Blocked = true;
      // node-1 is done within the hour; had node-2 kept its place, node-3 would wait for that entry
      // to go stale (two periods)
      await until(w, () => w.hosts.reboots.get("node-3") === 1, 90 * MINUTE);
      expect(w.hosts.reboots.get("node-2")).toBeUndefined();
      expect(w.events.some((e) => e.node === "node-2" && e.phase === "blocked")).toBe(true);
    },
  );

  it("reboots on demand when the node is annotated kured.dev/reboot-requested, and removes the annotation", async () => {
    const w = await makeWorld({ nodes: 1 });
    const { core, k8s } = await kubeClients(w.cluster.kubeConfig);
    await core.patchNode(
      { name: "node-1", body: { metadata: { annotations: { [NodeAnnotations.rebootRequested]: "please" } } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    const d = daemon(w, "node-1");
    await d.start();
    await until(w, () => w.hosts.reboots.get("node-1") === 1);
    await until(
      w,
      async () => (await w.lockState()).holders.length === 0 && phasesOf(w.events, "node-1").includes("lock-released"),
    );
    expect((await node(w, "node-1")).metadata?.annotations?.[NodeAnnotations.rebootRequested]).toBeUndefined();
    await w.clock.advance(3 * HOUR);
    expect(w.hosts.reboots.get("node-1")).toBe(1);
  });
});
