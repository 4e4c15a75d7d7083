import { kubeClients, NodeAnnotations, type Checkpoint } from "@kured/core";
import { afterEach, describe, expect, it } from "vitest";
import { closeWorld, daemon, HOUR, makeWorld, readNode, until, type World } from "../support/world.js";

let world: World | undefined;
afterEach(async () => {
  await closeWorld(world);
  world = undefined;
});

const POINTS: readonly Checkpoint[] = [
  "lock-acquired",
  "pre-labels",
  "cordoned",
  "mid-drain",
  "drained",
  "reboot-delay",
  "reboot-requested",
  "uncordoned",
  "released",
];

const KURED_ANNOTATIONS = [
  NodeAnnotations.unschedulableBeforeDrain,
  NodeAnnotations.bootIdBeforeReboot,
  NodeAnnotations.rebootRequested,
  NodeAnnotations.rebootInProgress,
];

describe.each([
  ["a schedulable node", false, "memory"],
  ["a node cordoned before", true, "memory"],
  ["a schedulable node", false, "daemonset"],
  ["a node cordoned before", true, "daemonset"],
] as const)(
  "crash safety of %s (%s, %s lock): a process killed at any point, then a fresh one, converges",
  (_name, cordonedBefore, lock) => {
    it.each(POINTS)("killed after %s", async (point) => {
      const w = (world = await makeWorld({ nodes: 1, lock }));
      if (cordonedBefore) {
        const { core, k8s } = await kubeClients(w.cluster.kubeConfig);
        await core.patchNode(
          { name: "node-1", body: { spec: { unschedulable: true } } },
          k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
        );
      }
      w.hosts.needsReboot.add("node-1");
      let rebootsWithoutLock = 0;
      const d = daemon(w, "node-1", {
        crashAt: point,
        settings: {
          annotateNodes: true,
          rebootDelayMs: 5 * 60_000,
          preRebootLabels: [{ key: "kured.dev/state", value: "rebooting" }],
          postRebootLabels: [{ key: "kured.dev/state", value: "done" }],
        },
        onReboot: async () => {
          if (!(await w.lockState()).holders.some((h) => h.holder === "node-1")) rebootsWithoutLock++;
        },
      });
      await d.start();
      await until(w, () => d.hasCrashed && !d.isRunning);
      await d.start(); // the fresh process (kubelet restarts the pod)

      await until(w, async () => {
        if (w.hosts.reboots.get("node-1") !== 1 || (await w.lockState()).holders.length > 0 || !d.isRunning)
          return false;
        const n = await readNode(w, "node-1");
        return (
          (n.spec?.unschedulable === true) === cordonedBefore && n.metadata?.labels?.["kured.dev/state"] === "done"
        );
      });
      await w.clock.advance(3 * HOUR);

      const n = await readNode(w, "node-1");
      expect(w.hosts.reboots.get("node-1")).toBe(1);
      expect(rebootsWithoutLock).toBe(0);
      expect((await w.lockState()).holders).toEqual([]);
      expect(n.spec?.unschedulable === true).toBe(cordonedBefore);
      expect(n.metadata?.labels?.["kured.dev/state"]).toBe("done");
      for (const key of KURED_ANNOTATIONS) expect(n.metadata?.annotations?.[key], key).toBeUndefined();
      // kured's record of when a reboot was last needed stays
      expect(n.metadata?.annotations?.[NodeAnnotations.mostRecentRebootNeeded]).toBeDefined();
    });
  },
);
