/**
 * The six ways an outside probe made kured reboot without the lock or leave a node cordoned, each
 * as a test that failed before its fix (issue 14). Every reboot request is checked against the
 * lock object as the API server stores it at that moment: the requesting process must hold an
 * unexpired slot there.
 */
import { kubeClients, NodeAnnotations, parseLockAnnotation } from "@kured/core";
import { afterEach, describe, expect, it } from "vitest";
import { SimulatedDaemon, type DaemonOptions } from "../support/simulated-daemon.js";
import { closeWorld, daemon, HOUR, makeWorld, MINUTE, readNode, until, type World } from "../support/world.js";

const ANNOTATION = "weave.works/kured-node-lock";

let world: World | undefined;
afterEach(async () => {
  await closeWorld(world);
  world = undefined;
});

/** The lock's holders as stored now (expired ones dropped), read from the server's own store. */
function storedHolders(w: World): { node: string; process?: string }[] {
  const server = w.cluster.server;
  if (!server) throw new Error("needs the in-process server");
  const now = w.clock.now().getTime();
  if (w.lockKind === "lease") {
    const out: { node: string; process?: string }[] = [];
    for (let n = 0; n < 4; n++) {
      const lease = server.store.get("coordination.k8s.io/leases", "kube-system", `kured-lock-${n}`) as
        | {
            metadata?: { annotations?: Record<string, string> };
            spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
          }
        | undefined;
      const holder = lease?.spec?.holderIdentity;
      if (!holder) continue;
      const seconds = lease.spec?.leaseDurationSeconds ?? 0;
      if (seconds > 0 && Date.parse(lease.spec?.renewTime ?? "") + seconds * 1000 <= now) continue;
      const process = lease.metadata?.annotations?.["kured.dev/process"];
      out.push({ node: holder, ...(process ? { process } : {}) });
    }
    return out;
  }
  const ds = server.store.get("apps/daemonsets", "kube-system", "kured") as
    { metadata?: { annotations?: Record<string, string> } } | undefined;
  const raw = ds?.metadata?.annotations?.[ANNOTATION];
  if (raw === undefined) return [];
  const lock = parseLockAnnotation(raw, { concurrency: 1 });
  return lock.holders
    .filter((h) => h.node !== "" && (h.expiresAt === undefined || h.expiresAt.getTime() > now))
    .map((h) => ({ node: h.node, ...(h.process ? { process: h.process } : {}) }));
}

/** Records every reboot request with whether the requester held a slot in the stored lock then. */
class RebootAudit {
  readonly requests: { node: string; process: string; held: boolean; holders: string[] }[] = [];
  constructor(private readonly w: World) {}

  hook(d: () => SimulatedDaemon, node: string): Pick<DaemonOptions, "onReboot"> {
    return {
      onReboot: () => {
        const process = d().processId;
        const holders = storedHolders(this.w);
        const held = holders.some((h) => h.node === node && h.process === process);
        this.requests.push({ node, process, held, holders: holders.map((h) => `${h.node}(${h.process})`) });
      },
    };
  }

  expectAllFenced(): void {
    for (const r of this.requests)
      expect(r.held, `${r.process} rebooted ${r.node} while holding ${r.holders}`).toBe(true);
  }
}

async function cordon(w: World, name: string): Promise<void> {
  const { core, k8s } = await kubeClients(w.cluster.kubeConfig);
  await core.patchNode(
    { name, body: { spec: { unschedulable: true } } },
    k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
  );
}

async function annotateNode(w: World, name: string, annotations: Record<string, string | null>): Promise<void> {
  const { core, k8s } = await kubeClients(w.cluster.kubeConfig);
  await core.patchNode(
    { name, body: { metadata: { annotations } } },
    k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
  );
}

async function setLockAnnotation(w: World, value: string | null): Promise<void> {
  const { apps, k8s } = await kubeClients(w.cluster.kubeConfig);
  await apps.patchNamespacedDaemonSet(
    { name: "kured", namespace: "kube-system", body: { metadata: { annotations: { [ANNOTATION]: value } } } },
    k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
  );
}

describe("fencing: every reboot and uncordon under the lock (issue 14)", () => {
  it.each(["daemonset", "lease"] as const)(
    "1. (%s) a second process with the same --node-id neither takes nor frees the first one's slot",
    async (lock) => {
      const w = (world = await makeWorld({ nodes: 2, lock }));
      const audit = new RebootAudit(w);
      w.hosts.needsReboot.add("node-1");
      w.hosts.needsReboot.add("node-2");
      const first: SimulatedDaemon = daemon(w, "node-1", {
        drain: () => ({ durationMs: 30 * MINUTE }),
        ...audit.hook(() => first, "node-1"),
      });
      await first.start();
      await until(w, () => storedHolders(w).some((h) => h.process === first.processId));
      // B: the same node name, another process (a second DaemonSet during a migration)
      const second: SimulatedDaemon = new SimulatedDaemon({
        cluster: w.cluster,
        clock: w.clock,
        node: "node-1",
        name: "node-1-duplicate",
        hosts: w.hosts,
        lock: () => w.lockBackend(),
        random: () => 0,
        drain: () => ({ durationMs: 30 * MINUTE }),
        ...audit.hook(() => second, "node-1"),
      });
      await second.start();
      const n2: SimulatedDaemon = daemon(w, "node-2", { ...audit.hook(() => n2, "node-2") });
      await n2.start();
      await w.clock.advance(10 * MINUTE);
      // A still holds its own slot; B did not uncordon A's node nor release A's slot
      expect(storedHolders(w)).toEqual([{ node: "node-1", process: first.processId }]);
      expect((await readNode(w, "node-1")).spec?.unschedulable).toBe(true);
      // A's SIGTERM clean-up frees only its own slot
      await first.stop();
      await until(w, () => audit.requests.length >= 2, 24 * HOUR);
      audit.expectAllFenced();
      await second.stop();
    },
  );

  it.each(["daemonset", "lease"] as const)(
    "2a. (%s) a slot with --lock-ttl is renewed through a drain longer than the TTL",
    async (lock) => {
      const w = (world = await makeWorld({ nodes: 2, lock, ttlMs: 10 * MINUTE }));
      const audit = new RebootAudit(w);
      w.hosts.needsReboot.add("node-1");
      const n1: SimulatedDaemon = daemon(w, "node-1", {
        drain: () => ({ durationMs: 60 * MINUTE }),
        downForMs: 2 * MINUTE,
        ...audit.hook(() => n1, "node-1"),
      });
      await n1.start();
      await until(w, () => storedHolders(w).some((h) => h.node === "node-1"));
      w.hosts.needsReboot.add("node-2");
      const n2: SimulatedDaemon = daemon(w, "node-2", { downForMs: 2 * MINUTE, ...audit.hook(() => n2, "node-2") });
      await n2.start();
      await until(w, () => audit.requests.length >= 2, 24 * HOUR);
      expect(audit.requests.map((r) => r.node)).toEqual(["node-1", "node-2"]);
      audit.expectAllFenced();
    },
  );

  it("2b. a slot lost meanwhile (the lock object lost its state) calls the reboot off", async () => {
    const w = (world = await makeWorld({ nodes: 2, lock: "daemonset", ttlMs: 10 * MINUTE }));
    const audit = new RebootAudit(w);
    w.hosts.needsReboot.add("node-1");
    const n1: SimulatedDaemon = daemon(w, "node-1", {
      drain: () => ({ durationMs: 20 * MINUTE }),
      ...audit.hook(() => n1, "node-1"),
    });
    await n1.start();
    await until(w, async () => (await readNode(w, "node-1")).spec?.unschedulable === true);
    // the API server comes back without the lock: another node takes it
    await setLockAnnotation(w, null);
    w.hosts.needsReboot.add("node-2");
    const n2: SimulatedDaemon = daemon(w, "node-2", {
      drain: () => ({ durationMs: 60 * MINUTE }),
      ...audit.hook(() => n2, "node-2"),
    });
    await n2.start();
    await until(w, () => audit.requests.length >= 2, 24 * HOUR);
    audit.expectAllFenced();
    expect(w.events.some((e) => e.node === "node-1" && e.reason?.code === "lock-lost")).toBe(true);
  });

  it("3. an API outage while undoing a failed drain: the cordon state is never re-derived from kured's own cordon", async () => {
    const w = (world = await makeWorld({ nodes: 1, lock: "daemonset" }));
    w.hosts.needsReboot.add("node-1");
    const faults = w.cluster.server?.faults;
    let drains = 0;
    const d = daemon(w, "node-1", {
      drain: () => {
        // the first drain times out (a PDB), and the node API fails right when kured undoes it
        if (++drains === 1) faults?.add({ resource: "nodes", verb: ["get", "patch"], status: 503, times: 3 });
        return { fail: true, durationMs: 5 * MINUTE };
      },
    });
    await d.start();
    await until(w, () => drains >= 3, 24 * HOUR);
    await d.stop();
    const n = await readNode(w, "node-1");
    expect(n.spec?.unschedulable).not.toBe(true);
    expect(n.metadata?.annotations?.[NodeAnnotations.unschedulableBeforeDrain]).toBeUndefined();
    expect(storedHolders(w)).toEqual([]);
  });

  it("1b. a Go kured's rewrite of the lock (dropping the boot ID) does not make the rebooted node wait out 3 heartbeats", async () => {
    // found by the fault model: the next process could not prove the reboot and waited 90 s
    const w = (world = await makeWorld({ nodes: 2, lock: "daemonset" }));
    w.hosts.needsReboot.add("node-1");
    // down for 20 s: back well within three heartbeats of the last renewal (the fence)
    const d = daemon(w, "node-1", { settings: { drainDelayMs: 2 * MINUTE }, downForMs: 20_000 });
    await d.start();
    await until(w, () => storedHolders(w).some((h) => h.node === "node-1" && h.process !== undefined));
    // Go kured (acquiring for node-2 alongside, as in a mixed cluster) rewrites the value with its
    // own struct: kured-ts's extra fields are gone
    await setLockAnnotation(
      w,
      '{"maxOwners":2,"locks":[{"nodeID":"node-1","metadata":{"unschedulable":false},"created":"2026-01-01T00:00:00Z","TTL":0}]}',
    );
    const at = (phase: string, nth = 0) =>
      w.events.filter((e) => e.node === "node-1" && e.phase === phase)[nth]?.at.getTime() ?? NaN;
    await until(w, () => w.events.some((e) => e.node === "node-1" && e.phase === "lock-released"), 2 * HOUR);
    const rebootedAfter = at("lock-released") - at("rebooting");
    // the reboot itself takes 20 s here; waiting out three missed heartbeats would make it 90 s
    expect(rebootedAfter).toBeLessThan(60_000);
    expect(storedHolders(w)).toEqual([]);
  });

  it("4. stale kured annotations without a matching slot are cleared, not acted on (an admin's cordon stays)", async () => {
    const w = (world = await makeWorld({ nodes: 2, lock: "daemonset" }));
    // left behind by a swap to Go kured and back: Go kured uncordoned and released, our annotations stayed
    await annotateNode(w, "node-1", {
      [NodeAnnotations.bootIdBeforeReboot]: "boot-node-1-0",
      [NodeAnnotations.unschedulableBeforeDrain]: "false",
    });
    await cordon(w, "node-1"); // then an admin cordoned it
    // node-2 holds the lock (written by Go kured)
    await setLockAnnotation(
      w,
      '{"nodeID":"node-2","metadata":{"unschedulable":false},"created":"2026-01-01T00:00:00Z","TTL":0}',
    );
    const d = daemon(w, "node-1");
    await d.start();
    await until(w, async () => {
      const n = await readNode(w, "node-1");
      return n.metadata?.annotations?.[NodeAnnotations.unschedulableBeforeDrain] === undefined;
    });
    await w.clock.advance(2 * HOUR);
    const n = await readNode(w, "node-1");
    expect(n.spec?.unschedulable).toBe(true);
    expect(n.metadata?.annotations?.[NodeAnnotations.bootIdBeforeReboot]).toBeUndefined();
    expect(storedHolders(w)).toEqual([{ node: "node-2" }]);
  });

  it("5. a persistent 403 on node patches gives the slot back, with an Event naming the permission", async () => {
    const w = (world = await makeWorld({ nodes: 2, lock: "daemonset" }));
    const audit = new RebootAudit(w);
    w.cluster.server?.faults.add({
      resource: "nodes",
      verb: "patch",
      name: "node-1",
      status: 403,
      message:
        'nodes "node-1" is forbidden: User "system:serviceaccount:kube-system:kured" cannot patch resource "nodes" in API group "" at the cluster scope',
    });
    w.hosts.needsReboot.add("node-1");
    const n1: SimulatedDaemon = daemon(w, "node-1", { kubeEvents: true, ...audit.hook(() => n1, "node-1") });
    await n1.start();
    const phase = (p: string) => w.events.find((e) => e.node === "node-1" && e.phase === p);
    await until(w, () => phase("lock-released") !== undefined);
    const held = (phase("lock-released")?.at.getTime() ?? 0) - (phase("lock-acquired")?.at.getTime() ?? 0);
    expect(held).toBeLessThan(5 * MINUTE);
    w.hosts.needsReboot.add("node-2");
    const n2: SimulatedDaemon = daemon(w, "node-2", { ...audit.hook(() => n2, "node-2") });
    await n2.start();
    await until(w, () => audit.requests.some((r) => r.node === "node-2"), 24 * HOUR).catch((e) => {
      throw new Error(
        `node-2 never rebooted: ${JSON.stringify(w.events.filter((x) => x.node === "node-2").map((x) => x.phase + ":" + (x.reason?.code ?? "")))}`,
        { cause: e },
      );
    });
    audit.expectAllFenced();
    expect(audit.requests.some((r) => r.node === "node-1")).toBe(false);
    const denied = w.events.find((e) => e.node === "node-1" && e.reason?.code === "permission-denied");
    expect(denied?.reason?.message).toContain('cannot patch resource "nodes"');
    const { core } = await kubeClients(w.cluster.kubeConfig);
    await until(w, async () => {
      const events = await core.listNamespacedEvent({ namespace: "default" });
      return events.items.some((e) => e.involvedObject.name === "node-1" && e.message?.includes("cannot patch"));
    });
  });

  it("5c. giving a slot back is retried within seconds, not at the backoff a failing check built up", async () => {
    // found by the fault model: a streak of failed checks before the acquire had grown the
    // backoff to minutes, and the give-back after the 403 inherited it, holding the lock for 9 min
    const w = (world = await makeWorld({ nodes: 2, lock: "daemonset" }));
    const server = w.cluster.server;
    // the lock's writes fail 9 times in a row (a flaky API), then succeed: the slot is taken
    server?.faults.add({ resource: "daemonsets", verb: ["patch", "update"], status: 503, times: 9 });
    w.hosts.needsReboot.add("node-1");
    const d = daemon(w, "node-1", {
      onCheckpoint: (point) => {
        if (point !== "lock-acquired") return;
        // then the node's patches are refused, and the first 3 releases fail too
        server?.faults.add({ resource: "nodes", verb: "patch", name: "node-1", status: 403 });
        server?.faults.add({ resource: "daemonsets", verb: ["patch", "update"], status: 503, times: 3 });
      },
    });
    await d.start();
    const phase = (p: string) => w.events.find((e) => e.node === "node-1" && e.phase === p);
    await until(w, () => phase("lock-released") !== undefined, 2 * HOUR);
    const held = (phase("lock-released")?.at.getTime() ?? 0) - (phase("lock-acquired")?.at.getTime() ?? 0);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(2 * MINUTE);
    expect(storedHolders(w)).toEqual([]);
  });

  it("5d. SIGTERM while a give-back keeps failing on a 403: the stopping process still gives the slot back", async () => {
    // found by the fault model: the process stopped during the retry's backoff and left its slot,
    // and the next one, failing on the labels at every try of its recovery, never gave it back
    const w = (world = await makeWorld({ nodes: 2, lock: "daemonset" }));
    w.cluster.server?.faults.add({ resource: "nodes", verb: "patch", name: "node-1", status: 403 });
    w.hosts.needsReboot.add("node-1");
    const labels = {
      preRebootLabels: [{ key: "kured", value: "rebooting" }],
      postRebootLabels: [{ key: "kured", value: "done" }],
    };
    const first = daemon(w, "node-1", { settings: labels });
    await first.start();
    await until(w, () => w.events.some((e) => e.node === "node-1" && e.reason?.code === "permission-denied"));
    expect(storedHolders(w)).toEqual([{ node: "node-1", process: first.processId }]);
    await first.stop();
    expect(storedHolders(w)).toEqual([]);
    expect((await readNode(w, "node-1")).spec?.unschedulable).not.toBe(true);
  });

  it("5e. a restarted process whose recovery keeps failing on a 403 gives the slot back after a few tries", async () => {
    const w = (world = await makeWorld({ nodes: 2, lock: "daemonset" }));
    w.hosts.needsReboot.add("node-1");
    const labels = { postRebootLabels: [{ key: "kured", value: "done" }] };
    // the first process dies right after taking the slot; then RBAC loses patch on nodes
    const first = daemon(w, "node-1", { settings: labels, crashAt: "lock-acquired" });
    await first.start();
    await until(w, () => storedHolders(w).some((h) => h.process === first.processId));
    const rule = w.cluster.server?.faults.add({ resource: "nodes", verb: "patch", name: "node-1", status: 403 });
    w.hosts.needsReboot.delete("node-1");
    const second = daemon(w, "node-1", { settings: labels });
    await second.start();
    const started = w.clock.now().getTime();
    await until(w, () => storedHolders(w).length === 0, 2 * HOUR);
    // three missed heartbeats (90 s) before it may adopt, then a few quick tries
    expect(w.clock.now().getTime() - started).toBeLessThan(5 * MINUTE);
    expect(w.events.some((e) => e.node === "node-1" && e.reason?.code === "permission-denied")).toBe(true);
    // what was given up needs no slot: once RBAC is fixed, a later pass finishes it
    rule?.remove();
    await until(w, async () => (await readNode(w, "node-1")).metadata?.labels?.kured === "done", 2 * HOUR);
    const n = await readNode(w, "node-1");
    expect(n.metadata?.annotations?.[NodeAnnotations.lockSlot]).toBeUndefined();
    expect(n.metadata?.annotations?.[NodeAnnotations.unschedulableBeforeDrain]).toBeUndefined();
    expect(storedHolders(w)).toEqual([]);
  });

  it("5b. a 403 that left the slot's record on the node: an admin's later cordon stays when kured restarts", async () => {
    // found by the fault model: the record {process, expires} outlived the slot given back
    const w = (world = await makeWorld({ nodes: 2, lock: "daemonset", ttlMs: 10 * MINUTE }));
    w.hosts.needsReboot.add("node-1");
    const first = daemon(w, "node-1", { settings: { drainDelayMs: 2 * MINUTE } });
    await first.start();
    await until(w, async () => {
      const n = await readNode(w, "node-1");
      return n.metadata?.annotations?.[NodeAnnotations.lockSlot] !== undefined;
    });
    // the record is written; RBAC loses patch on nodes before the cordon
    const rule = w.cluster.server?.faults.add({ resource: "nodes", verb: "patch", name: "node-1", status: 403 });
    await until(w, () => w.events.some((e) => e.node === "node-1" && e.phase === "lock-released"));
    w.hosts.needsReboot.delete("node-1");
    await first.stop();
    let n = await readNode(w, "node-1");
    expect(n.spec?.unschedulable).not.toBe(true);
    expect(n.metadata?.annotations?.[NodeAnnotations.lockSlot]).toBeDefined(); // what the 403 left
    rule?.remove(); // RBAC fixed; later an admin cordons the node for maintenance
    await cordon(w, "node-1");
    const second = daemon(w, "node-1");
    await second.start();
    await until(w, async () => {
      const m = await readNode(w, "node-1");
      return m.metadata?.annotations?.[NodeAnnotations.lockSlot] === undefined;
    });
    await w.clock.advance(2 * HOUR);
    n = await readNode(w, "node-1");
    expect(n.spec?.unschedulable).toBe(true);
    expect(storedHolders(w)).toEqual([]);
  });

  it.each(["daemonset", "lease"] as const)(
    "6. --lock-ttl=720h works on the %s lock: a whole cycle, renewed at the heartbeat, not in a loop",
    async (lock) => {
      const w = (world = await makeWorld({ nodes: 1, lock, ttlMs: 720 * HOUR }));
      w.hosts.needsReboot.add("node-1");
      const d = daemon(w, "node-1", { drain: () => ({ durationMs: 30 * MINUTE }) });
      const audit = w.cluster.server?.audit;
      audit?.clear();
      await d.start();
      await until(w, async () => w.hosts.reboots.get("node-1") === 1 && (await w.lockState()).holders.length === 0);
      const writes = (audit?.entries() ?? []).filter(
        (e) =>
          (e.resource === "daemonsets" || e.resource === "leases") &&
          e.verb !== "get" &&
          e.verb !== "list" &&
          e.verb !== "watch",
      ).length;
      // one renewal per 30 s heartbeat over the 30-minute drain, give or take the acquire and release
      expect(writes).toBeGreaterThan(10);
      expect(writes).toBeLessThan(200);
    },
  );
});
