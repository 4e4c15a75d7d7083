/**
 * One run of the fault model: real RebootCoordinators, one per simulated kured process, on the
 * shared in-process API server, driven through a generated schedule of actions on the virtual
 * clock, with the invariants checked from the server's own state (never from what a daemon
 * believes):
 *  1. a reboot is requested only while the requesting process holds an unexpired slot in the
 *     stored lock (the entry's process, when it records one, is the requester's);
 *  2. never more than c nodes rebooting at once (reboot requested → node Ready again), and never
 *     more than c holders in any stored version of the lock;
 *  3. once faults stop and every process that should run runs: every required reboot happens,
 *     the lock empties, no node is left cordoned by kured (an admin's cordon stays), and no kured
 *     bookkeeping annotation is left behind;
 *  4. no slot outlives its process for long: a few minutes after the quiesce every slot belongs
 *     to a live process of its node; a node whose patches are refused (403) gives its slot back;
 *  5. no loop: API requests, slot takes and timers per minute stay bounded;
 *  6. a slot is never taken from a process that still runs and renewed it within the last three
 *     heartbeats (another process of the same node adopts it only once it is gone or stale).
 */
import {
  createSystemClock,
  DaemonSetLockBackend,
  LEASE_LOCK_LABEL,
  LEASE_MANUAL_ANNOTATION,
  LEASE_ROLE_LABEL,
  LeaseLockBackend,
  MANUAL_HOLDER,
  NodeAnnotations,
  NodeOperations,
  NodeWatch,
  RebootCoordinator,
  RebootWindow,
  createEventBus,
  formatLockAnnotation,
  parseLockAnnotation,
  type Clock,
  type CoordinatorOptions,
  type LockBackend,
} from "@kured/core";
import {
  findResource,
  makeKuredDaemonSet,
  makeNode,
  type ResourceType,
  type StoredObject,
  seededRandom,
} from "@kured/testkit";
import { simulatedDrainer, testSettings } from "../../support/simulated-daemon.js";
import { goAcquire, goRelease, type GoKuredOptions } from "./go-kured.js";
import { KillSwitch } from "./kill-switch.js";
import {
  ANNOTATION,
  isLockChange,
  LEASES,
  NAMESPACE,
  rawLock,
  storedSlots,
  type LockPlace,
  type StoredSlot,
} from "./lock-view.js";
import type { ModelEnv } from "./model-env.js";
import {
  clockTime,
  describeAction,
  HORIZON_MS,
  LONG_DRAIN_MS,
  MINUTE,
  nodeName,
  PERIOD_MS,
  SECOND,
  type Action,
  type Scenario,
  type Which,
} from "./scenario.js";
import { NodeLikeTimers } from "./node-timers.js";

const T = {
  nodes: findResource("", "v1", "nodes") as ResourceType,
  daemonsets: findResource("apps", "v1", "daemonsets") as ResourceType,
  leases: findResource("coordination.k8s.io", "v1", "leases") as ResourceType,
};
const NODES = T.nodes.storage;
/** The coordinator's default heartbeat, and after how many missed ones a slot's process counts as gone (core's values). */
const HEARTBEAT_MS = 30 * SECOND;
const STALE_HEARTBEATS = 3;
/** How long after the quiesce a slot may still belong to a dead process (recovery retries, 3 missed heartbeats). */
const TAKEOVER_BOUND_MS = 5 * MINUTE;
/** How long a node whose patches are all refused may keep a slot it cannot use. */
const FORBIDDEN_BOUND_MS = 5 * MINUTE;
/** After the quiesce, everything must be clean within this much virtual time. */
const SETTLE_BOUND_MS = 3 * 60 * MINUTE;
/** Invariant 5: a node takes a slot at most this often in this window (retries back off to the period). */
const CHURN_WINDOW_MS = 5 * MINUTE;
const CHURN_MAX = 10;
/** How long before an admin's cordon an acquire's node read may have been (latency, 409 retries). */
const ACQUIRE_RACE_MS = 30 * SECOND;
/** The idle node's `--period`: half of it, the shortest first check, is still past 2^31 − 1 ms. */
const IDLE_PERIOD_MS = 100 * 24 * 60 * MINUTE;
/** Invariant 5, timers: at most this many set per virtual minute by all processes of a run. */
const TIMERS_MAX_PER_MINUTE = 5_000;
/** Invariant 5: at most this many API requests per running process within LOAD_WINDOW_MIN minutes. */
const LOAD_WINDOW_MIN = 5;
const LOAD_MAX_PER_PROCESS = 150;
const BOOKKEEPING = [
  NodeAnnotations.unschedulableBeforeDrain,
  NodeAnnotations.bootIdBeforeReboot,
  NodeAnnotations.lockSlot,
];

export interface Violation {
  readonly invariant: string;
  /** virtual ms since the run started */
  readonly at: number;
  readonly message: string;
}

export interface RunResult {
  readonly violations: readonly Violation[];
  readonly trace: readonly string[];
  readonly requests: number;
  /** the most requests per running process in any load window */
  readonly maxLoad: number;
  /** requests by verb and resource (with KURED_MODEL_DEBUG, and for a failed run) */
  readonly counters?: Record<string, number>;
  readonly virtualMs: number;
  readonly reboots: number;
}

interface Proc {
  readonly id: string;
  readonly ks: KillSwitch;
  readonly controller: AbortController;
  ended: boolean;
  readonly done: Promise<void>;
}

/** One kured pod on a node: its primary (0) or the duplicate with the same node name (1). */
interface Pod {
  readonly node: number;
  readonly which: Which;
  proc: Proc | undefined;
  /** a SIGTERMed process still cleaning up */
  stopping: Proc | undefined;
  everStarted: boolean;
  starts: number;
}

const WINDOW = RebootWindow.parse({
  rebootDays: "su,mo,tu,we,th,fr,sa",
  startTime: "0:00",
  endTime: "23:59:59",
  timeZone: "UTC",
});

export class ModelRun {
  private readonly names: string[];
  private readonly goNode: string;
  private readonly place: LockPlace;
  private t0: number;
  private readonly random: () => number;
  private readonly abort = new AbortController();
  private readonly pods: Pod[][];
  private readonly needs = new Set<number>();
  private readonly rebooting = new Set<number>();
  private readonly reboots: number[];
  /** the timers every process's clock sets (Node's semantics), and that clock */
  private readonly timers: NodeLikeTimers;
  private readonly clock: Clock;
  private timerMark = { minute: -1, count: 0 };
  private readonly nextDrain = new Map<number, "long" | "fail">();
  /** nodes an admin cordoned (must stay cordoned), and when */
  private readonly adminCordoned = new Map<number, number>();
  /** admin cordons that raced with an acquire already under way (the slot says "was schedulable") */
  private readonly cordonRaced = new Set<number>();
  private readonly forbidden = new Map<number, { from: number; until: number }>();
  /** until when (run time) the API was out for everyone, and a node's own API calls failed (503) */
  private outageUntil = -Infinity;
  private readonly nodeApiDownUntil = new Map<number, number>();
  private readonly violations: Violation[] = [];
  private readonly trace: string[] = [];
  private lastLockLine = "";
  /** the stored slots at the last change (for invariants 5 and 6), and when each node took a slot */
  private lastSlots: readonly StoredSlot[] = [];
  private readonly acquisitions = new Map<string, number[]>();
  private loadMinute = 0;
  private loadTotal = 0;
  private readonly loadMinutes: { requests: number; processes: number }[] = [];
  private loadProcesses = 0;
  private maxLoad = 0;
  private lastCheck = -1;
  private closed = false;
  private manualSet = false;
  private readonly goAbort = new AbortController();
  private unsubscribe: (() => void) | undefined;
  private requests = 0;
  private counters: Record<string, number> | undefined;

  constructor(
    private readonly env: ModelEnv,
    private readonly s: Scenario,
    private readonly run: number,
  ) {
    this.names = Array.from({ length: s.nodes }, (_, i) => nodeName(run, i));
    // a node that never needs a reboot, whose kured checks every IDLE_PERIOD_MS: its sleeps are
    // longer than a Node timer holds
    if (s.idleNode) this.names.push(`m${run}-idle`);
    this.timers = new NodeLikeTimers(env.clock);
    this.clock = createSystemClock(this.timers, () => env.clock.now().getTime());
    this.goNode = `m${run}-go`;
    this.place = { backend: s.backend, name: `m${run}-kured`, concurrency: s.c };
    this.t0 = env.clock.now().getTime();
    this.random = seededRandom(s.seed);
    this.pods = this.names.map((_, node) =>
      ([0, 1] as const).map((which) => ({
        node,
        which,
        proc: undefined,
        stopping: undefined,
        everStarted: false,
        starts: 0,
      })),
    );
    this.reboots = this.names.map(() => 0);
  }

  private get now(): number {
    return this.env.clock.now().getTime() - this.t0;
  }

  private log(line: string): void {
    this.trace.push(`${clockTime(this.now)} ${line}`);
  }

  private violate(invariant: string, message: string): void {
    this.violations.push({ invariant, at: this.now, message });
    this.log(`VIOLATION of invariant ${invariant}: ${message}`);
  }

  private short(node: number | string): string {
    const name = typeof node === "number" ? (this.names[node] as string) : node;
    return name.replace(/^m\d+-/, "");
  }

  /** Sleeps on the clock for the harness; ends (rejects) when the run ends. */
  private sleep(ms: number): Promise<void> {
    return this.env.clock.sleep(ms, this.abort.signal);
  }

  // ── the cluster of this run ────────────────────────────────────────────────────────────────

  private setUp(): void {
    const { registry } = this.env.server;
    const now = this.env.clock.now().toISOString();
    for (const [i, name] of this.names.entries()) {
      registry.create(T.nodes, undefined, makeNode(name, { now, unschedulable: this.s.preCordoned[i] === true }), {
        internal: true,
      });
      if (this.s.preCordoned[i]) this.adminCordoned.set(i, 0);
    }
    registry.create(T.nodes, undefined, makeNode(this.goNode, { now }), { internal: true });
    // A nodeSelector nothing matches: the simulator's DaemonSet controller (run after each reboot)
    // places no pods, which nothing here needs and every later pass would have to walk.
    const ds = makeKuredDaemonSet({ name: this.place.name, namespace: NAMESPACE });
    const template = (ds.spec as { template: { spec: Record<string, unknown> } }).template;
    template.spec.nodeSelector = { "kured-model/none": "true" };
    registry.create(T.daemonsets, NAMESPACE, ds, { internal: true });
    this.unsubscribe = this.env.server.store.subscribe((e) => {
      if (!this.closed && isLockChange(this.place, e.storage, e.object)) this.onLockChange();
    });
    const { server } = this.env;
    server.faults.clear();
    // each request's chances by its verb and path (without the run's prefix): concurrent requests
    // of different processes meet the same faults in whatever order they arrive, and a replay
    // (another run number) sees what the failing run saw
    server.faults.seed(this.s.seed, { key: (r) => `${r.verb} ${r.path.replace(/\bm\d+-/g, "")}` });
    const { serverErrorRate, conflictRate, dropRate, latencyMs } = this.s.faults;
    if (serverErrorRate > 0) server.faults.add({ status: 503, rate: serverErrorRate });
    if (conflictRate > 0)
      server.faults.add({ resource: "daemonsets", verb: ["patch", "update"], status: 409, rate: conflictRate });
    if (conflictRate > 0)
      server.faults.add({ resource: "leases", verb: ["update", "create"], status: 409, rate: conflictRate });
    if (dropRate > 0) server.faults.add({ drop: true, rate: dropRate });
    if (latencyMs > 0) server.faults.add({ latencyMs, rate: 0.3 });
  }

  private tearDown(): void {
    const { registry, store } = this.env.server;
    for (const name of [...this.names, this.goNode]) {
      if (store.get(NODES, undefined, name)) registry.delete(T.nodes, undefined, name, {});
    }
    if (store.get(T.daemonsets.storage, NAMESPACE, this.place.name))
      registry.delete(T.daemonsets, NAMESPACE, this.place.name, {});
    for (const lease of store.list(LEASES, NAMESPACE)) {
      if (lease.metadata.name.startsWith(`${this.place.name}-`))
        registry.delete(T.leases, NAMESPACE, lease.metadata.name, {});
    }
  }

  private nodeObject(node: number): StoredObject | undefined {
    return this.env.server.store.get(NODES, undefined, this.names[node] as string);
  }

  private unschedulable(node: number): boolean {
    return (this.nodeObject(node)?.spec as { unschedulable?: boolean } | undefined)?.unschedulable === true;
  }

  // ── invariant 2 on every stored version of the lock ────────────────────────────────────────

  private onLockChange(): void {
    const slots = storedSlots(this.env.server, this.place, this.env.clock.now());
    const held = slots.filter((h) => h.node !== MANUAL_HOLDER);
    const line = slots.map((h) => `${this.short(h.node)}${h.process ? `(${h.process})` : ""}`).join(" ");
    if (line !== this.lastLockLine) {
      this.lastLockLine = line;
      this.log(`lock: [${line}]`);
    }
    if (held.length > this.s.c)
      this.violate("2", `${held.length} holders in the stored lock, --concurrency=${this.s.c}`);
    // a take: the node had no slot in the version before, or another process has it now (a Go
    // kured's rewrite, which drops the process, and our renewal, which writes it back, are none)
    const taken = held.filter((h) => {
      const before = this.lastSlots.find((b) => b.node === h.node);
      return !before || (before.process !== undefined && h.process !== undefined && before.process !== h.process);
    });
    for (const { node } of taken) {
      const times = (this.acquisitions.get(node) ?? []).filter((t) => t > this.now - CHURN_WINDOW_MS);
      times.push(this.now);
      this.acquisitions.set(node, times);
      if (times.length > CHURN_MAX && this.names.includes(node))
        this.violate(
          "5",
          `${this.short(node)} took a slot ${times.length} times within ${CHURN_WINDOW_MS / 60000} min ` +
            "(a retry loop hammering the lock and the API)",
        );
    }
    this.checkAdoptions(held);
    this.lastSlots = held;
    for (const [node, at] of this.adminCordoned) {
      const name = this.names[node];
      // raced: a slot saying "was schedulable" stored after the cordon, stamped at most
      // ACQUIRE_RACE_MS before it (an acquire whose node read came before the cordon and whose
      // write, stamped with the client's time, reached the server after it)
      const raced = (h: StoredSlot) =>
        h.node === name && !h.unschedulable && h.since >= this.t0 + at - ACQUIRE_RACE_MS && taken.includes(h);
      if (slots.some(raced)) this.cordonRaced.add(node);
    }
  }

  /** Invariant 6: a slot that changed process was taken from one that is gone or stale. */
  private checkAdoptions(held: readonly StoredSlot[]): void {
    const now = this.env.clock.now().getTime();
    for (const slot of held) {
      const before = this.lastSlots.find((h) => h.node === slot.node);
      if (!before?.process || !slot.process || slot.process === before.process) continue;
      const node = this.names.indexOf(slot.node);
      if (node < 0 || now >= before.renewed + STALE_HEARTBEATS * HEARTBEAT_MS) continue;
      const running = (this.pods[node] as Pod[]).some(
        (p) => p.proc?.id === before.process || (p.stopping?.id === before.process && !p.stopping.ended),
      );
      if (running)
        this.violate(
          "6",
          `${slot.process} took ${this.short(slot.node)}'s slot from ${before.process}, ` +
            `which still runs and renewed it ${Math.round((now - before.renewed) / 1000)}s ago`,
        );
    }
  }

  // ── processes ──────────────────────────────────────────────────────────────────────────────

  private lockBackend(ks: KillSwitch, random: () => number): LockBackend {
    const kube = ks.kube(this.env.kube);
    const options = {
      kube,
      namespace: NAMESPACE,
      name: this.place.name,
      concurrency: this.s.c,
      ttlMs: this.s.ttlMs,
      periodMs: PERIOD_MS,
      clock: ks.clock(this.clock),
      log: this.env.log,
      random,
    };
    return this.s.backend === "daemonset"
      ? new DaemonSetLockBackend({ ...options, annotation: ANNOTATION })
      : new LeaseLockBackend(options);
  }

  private start(pod: Pod): void {
    if (this.closed || pod.proc || this.rebooting.has(pod.node)) return;
    pod.starts++;
    pod.everStarted = true;
    const node = this.names[pod.node] as string;
    const id = `${this.short(node)}${pod.which === 1 ? "dup" : ""}.${pod.starts}-${Math.floor(this.random() * 0xffff).toString(16)}`;
    const ks = new KillSwitch();
    const kube = ks.kube(this.env.kube);
    const clock = ks.clock(this.clock);
    const ops = new NodeOperations({ kube, node, clock });
    const random = seededRandom(this.s.seed ^ (pod.node * 7919 + pod.which * 104729 + pod.starts * 31));
    const bus = createEventBus({ log: this.env.log });
    bus.subscribe({
      id: "trace",
      handle: (m) => {
        if (m.kind !== "phase" || ks.killed) return;
        const p = m.event.phase;
        if (p === "reboot-required" || p === "lock-waiting" || p === "blocked") return;
        this.log(`${id} ${p}${m.event.reason ? ` (${m.event.reason.code})` : ""}`);
      },
    });
    const controller = new AbortController();
    const options = {
      node,
      process: id,
      clock,
      log: this.env.log,
      bus,
      window: WINDOW,
      detectors: [
        {
          id: "model-sentinel",
          check: () => ks.guard(async () => ({ required: this.needs.has(pod.node) })),
        },
      ],
      blockers: [],
      lock: this.lockBackend(ks, random),
      drainer: simulatedDrainer(ops, () => {
        const next = this.nextDrain.get(pod.node);
        this.nextDrain.delete(pod.node);
        if (next === "long") return { durationMs: LONG_DRAIN_MS };
        if (next === "fail") return { durationMs: this.s.drainMs[pod.node] ?? 0, fail: true };
        return { durationMs: this.s.drainMs[pod.node] ?? 0 };
      }),
      rebooter: { id: "model", reboot: () => ks.guard(async () => this.onRebootRequest(pod.node, id)) },
      nodeOps: ops,
      nodeWatch: new NodeWatch({ kube, node, clock, log: this.env.log }),
      settings: testSettings({
        periodMs: node === `m${this.run}-idle` ? IDLE_PERIOD_MS : PERIOD_MS,
        postRebootReadyTimeoutMs: 10 * MINUTE,
        drainDelayMs: this.s.drainDelayMs,
        ...(this.s.labels
          ? {
              preRebootLabels: [{ key: "kured-model", value: "rebooting" }],
              postRebootLabels: [{ key: "kured-model", value: "done" }],
            }
          : {}),
      }),
      random,
    } as CoordinatorOptions; // `process` is recent in CoordinatorOptions: the cast compiles before and after
    const coordinator = new RebootCoordinator(options);
    const proc: Proc = {
      id,
      ks,
      controller,
      ended: false,
      done: coordinator.run(controller.signal).then(
        () => {
          proc.ended = true;
          if (!ks.killed) this.log(`${id} ended`);
        },
        (e: unknown) => {
          proc.ended = true;
          this.violate("process", `${id} ended with an error: ${(e as Error).stack ?? String(e)}`);
        },
      ),
    };
    pod.proc = proc;
    this.log(`${id} starts`);
  }

  private kill(pod: Pod, why: string): void {
    const proc = pod.proc;
    if (!proc) return;
    proc.ks.kill();
    pod.proc = undefined;
    this.log(`${proc.id} killed (${why})`);
  }

  private sigterm(pod: Pod): void {
    const proc = pod.proc;
    if (!proc) return;
    pod.proc = undefined;
    pod.stopping = proc;
    this.log(`${proc.id} SIGTERM`);
    proc.controller.abort(new Error("SIGTERM"));
    void proc.done.then(() => {
      if (pod.stopping === proc) pod.stopping = undefined;
    });
  }

  /** Starts the pod again as kubelet would, once its previous process has ended. */
  private restart(pod: Pod): void {
    if (pod.stopping && !pod.stopping.ended) {
      const waiting = pod.stopping;
      void waiting.done.then(() => this.restart(pod));
      return;
    }
    this.start(pod);
  }

  // ── reboots ───────────────────────────────────────────────────────────────────────────────

  private onRebootRequest(node: number, process: string): void {
    const name = this.names[node] as string;
    const slots = storedSlots(this.env.server, this.place, this.env.clock.now());
    const stored = slots.map((h) => `${this.short(h.node)}(${h.process ?? "-"})`).join(" ") || "nothing";
    const mine = slots.find((h) => h.node === name);
    this.log(`${process} asks for a reboot of ${this.short(name)}`);
    if (!mine)
      this.violate("1", `${process} requested a reboot of ${this.short(name)}; the stored lock holds ${stored}`);
    else if (mine.process !== undefined && mine.process !== process)
      this.violate("1", `${process} requested a reboot of ${this.short(name)} whose slot is ${mine.process}'s`);
    if (this.rebooting.has(node)) return;
    this.rebooting.add(node);
    if (this.rebooting.size > this.s.c) {
      const all = [...this.rebooting].map((n) => this.short(n)).join(", ");
      this.violate("2", `${this.rebooting.size} nodes rebooting at once (${all}), --concurrency=${this.s.c}`);
    }
    void this.reboot(node).catch(() => undefined);
  }

  /** The node goes down a moment after the request, taking every kured process on it along. */
  private async reboot(node: number): Promise<void> {
    await this.sleep(SECOND);
    const pods = this.pods[node] as Pod[];
    const restart = pods.filter((p) => p.which === 0 || p.proc !== undefined || p.stopping !== undefined);
    for (const pod of pods) {
      this.kill(pod, "node reboots");
      if (pod.stopping) pod.stopping.ks.kill();
      pod.stopping = undefined;
    }
    this.needs.delete(node);
    this.reboots[node] = (this.reboots[node] ?? 0) + 1;
    this.log(`${this.short(node)} goes down`);
    await this.env.simulator.reboot(this.names[node] as string, { downFor: this.s.downMs[node] ?? MINUTE });
    if (this.closed) return;
    this.rebooting.delete(node);
    this.log(`${this.short(node)} is back (Ready)`);
    for (const pod of restart) this.start(pod);
  }

  // ── actions ───────────────────────────────────────────────────────────────────────────────

  private pod(a: { node: number; which: Which }): Pod {
    return (this.pods[a.node] as Pod[])[a.which] as Pod;
  }

  private async perform(a: Action): Promise<void> {
    this.log(`ACTION ${describeAction(a).replace(/^\+\S+ /, "")}`);
    const { faults } = this.env.server;
    switch (a.kind) {
      case "need-reboot":
        this.needs.add(a.node);
        return;
      case "duplicate":
        this.start(this.pod({ node: a.node, which: 1 }));
        return;
      case "kill":
      case "sigterm": {
        const pod = this.pod(a);
        if (a.kind === "kill") this.kill(pod, "SIGKILL");
        else this.sigterm(pod);
        if (a.restartAfterMs !== undefined) {
          await this.sleep(a.restartAfterMs);
          this.restart(pod);
        }
        return;
      }
      case "outage":
        faults.outage(a.ms, a.drop ? undefined : 503);
        this.outageUntil = Math.max(this.outageUntil, this.now + a.ms);
        return;
      case "node-api-down":
      case "forbidden": {
        const name = this.names[a.node] as string;
        const rule =
          a.kind === "forbidden"
            ? faults.add({
                resource: "nodes",
                verb: "patch",
                name,
                status: 403,
                message: `nodes "${name}" is forbidden: User "system:serviceaccount:kube-system:kured" cannot patch resource "nodes"`,
              })
            : faults.add({ resource: "nodes", verb: ["get", "patch"], name, status: 503 });
        if (a.kind === "forbidden") this.forbidden.set(a.node, { from: this.now, until: this.now + a.ms });
        else
          this.nodeApiDownUntil.set(a.node, Math.max(this.nodeApiDownUntil.get(a.node) ?? -Infinity, this.now + a.ms));
        await this.sleep(a.ms);
        rule.remove();
        this.forbidden.delete(a.node);
        return;
      }
      case "manual-lock":
        if (!(await this.setManualLock())) return;
        await this.sleep(a.ms);
        await this.removeManualLock();
        return;
      case "go-kured": {
        const o = this.goOptions(a.writeDelayMs);
        // Go kured tries every period until it gets a slot (here: every 30 s, until the quiesce)
        while (!(await goAcquire(o))) await this.env.clock.sleep(30 * SECOND, o.signal);
        this.log(`go kured holds a slot`);
        await this.env.clock.sleep(a.ms, o.signal);
        await goRelease(o);
        this.log(`go kured released its slot`);
        return;
      }
      case "long-drain":
        this.nextDrain.set(a.node, "long");
        return;
      case "failing-drain":
        this.nextDrain.set(a.node, "fail");
        return;
      case "stale-annotations":
        this.staleAnnotations(a.node);
        return;
    }
  }

  private goOptions(writeDelayMs: number): GoKuredOptions {
    return {
      server: this.env.server,
      clock: this.env.clock,
      name: this.place.name,
      node: this.goNode,
      concurrency: this.s.c,
      ttlMs: this.s.ttlMs,
      writeDelayMs,
      signal: this.goAbort.signal,
    };
  }

  /** `kubectl annotate` (without --overwrite, so only on a DaemonSet without the lock); Lease: `kured lock acquire`. */
  private async setManualLock(): Promise<boolean> {
    const { registry } = this.env.server;
    if (this.s.backend === "daemonset") {
      if (rawLock(this.env.server, this.place) !== undefined) {
        this.log("kubectl annotate refuses: the annotation exists");
        return false;
      }
      registry.patch(T.daemonsets, NAMESPACE, this.place.name, "merge", {
        metadata: { annotations: { [ANNOTATION]: '{"nodeID":"manual"}' } },
      });
    } else {
      const name = `${this.place.name}-lock-queue`;
      const queue = this.env.server.store.get(LEASES, NAMESPACE, name);
      const annotations = { [LEASE_MANUAL_ANNOTATION]: JSON.stringify({ reason: "model" }) };
      if (queue) registry.patch(T.leases, NAMESPACE, name, "merge", { metadata: { annotations } });
      else
        registry.create(
          T.leases,
          NAMESPACE,
          {
            metadata: {
              name,
              labels: { [LEASE_LOCK_LABEL]: this.place.name, [LEASE_ROLE_LABEL]: "queue" },
              annotations,
            },
            spec: {},
          },
          { internal: true },
        );
    }
    this.manualSet = true;
    return true;
  }

  /** `kubectl annotate ds … weave.works/kured-node-lock-`; what was added to the value since stays (as `kured lock release manual`). */
  private async removeManualLock(): Promise<void> {
    if (!this.manualSet) return;
    this.manualSet = false;
    const { registry, store } = this.env.server;
    if (this.s.backend === "daemonset") {
      const raw = rawLock(this.env.server, this.place);
      if (raw === undefined) return;
      let value: string | null = null;
      if (raw !== '{"nodeID":"manual"}') {
        try {
          const lock = parseLockAnnotation(raw, { concurrency: this.s.c });
          const holders = lock.holders.filter((h) => h.node !== MANUAL_HOLDER && h.node !== "");
          value =
            formatLockAnnotation({ holders, queue: holders.length > 0 ? lock.queue : [] }, { concurrency: this.s.c }) ??
            null;
        } catch {
          value = null;
        }
      }
      registry.patch(T.daemonsets, NAMESPACE, this.place.name, "merge", {
        metadata: { annotations: { [ANNOTATION]: value } },
      });
      return;
    }
    const name = `${this.place.name}-lock-queue`;
    if (store.get(LEASES, NAMESPACE, name))
      registry.patch(T.leases, NAMESPACE, name, "merge", {
        metadata: { annotations: { [LEASE_MANUAL_ANNOTATION]: null } },
      });
  }

  /**
   * What a swap to Go kured and back leaves: our cordon bookkeeping without a slot; then an admin
   * cordons the node and kured restarts. Only on a node with no slot, schedulable and up (else an
   * admin's cordon would race with kured's own).
   */
  private staleAnnotations(node: number): void {
    const name = this.names[node] as string;
    const slots = storedSlots(this.env.server, this.place, this.env.clock.now());
    if (slots.some((h) => h.node === name) || this.unschedulable(node) || this.rebooting.has(node)) {
      this.log(`(skipped: ${this.short(node)} has a slot, is cordoned or rebooting)`);
      return;
    }
    const boot = ((this.nodeObject(node)?.status as { nodeInfo?: { bootID?: string } }).nodeInfo?.bootID ??
      "") as string;
    this.env.server.registry.patch(T.nodes, undefined, name, "merge", {
      metadata: {
        annotations: {
          [NodeAnnotations.unschedulableBeforeDrain]: "false",
          [NodeAnnotations.bootIdBeforeReboot]: boot,
        },
      },
      spec: { unschedulable: true },
    });
    this.adminCordoned.set(node, this.now);
    const pod = this.pod({ node, which: 0 });
    this.kill(pod, "crash");
    this.start(pod);
  }

  // ── checks during the run ─────────────────────────────────────────────────────────────────

  /** Invariant 4 for a node whose patches are refused: it may not sit on a slot it cannot use. */
  private checkForbidden(): void {
    const now = this.now;
    const slots = storedSlots(this.env.server, this.place, this.env.clock.now());
    for (const [node, w] of this.forbidden) {
      if (now - w.from < FORBIDDEN_BOUND_MS) continue;
      const name = this.names[node];
      const slot = slots.find((h) => h.node === name);
      if (!slot || this.unschedulable(node) || this.rebooting.has(node)) continue;
      // held for the bound, by a live process, on a schedulable node: whether it was taken inside
      // the 403 window or before it (bookkeeping written, then the 403 before the cordon), there
      // is no cordon to undo, so the slot must have been given back (a few failed attempts)
      if (slot.since - this.t0 > now - FORBIDDEN_BOUND_MS) continue;
      // nor while the API was out (for everyone, or for this node): nothing can be given back then
      if (Math.max(this.outageUntil, this.nodeApiDownUntil.get(node) ?? -Infinity) > now - FORBIDDEN_BOUND_MS) continue;
      // a slot without a process (Go kured's rewrite) is its node's live process's
      const live = (this.pods[node] as Pod[]).some(
        (p) => p.proc !== undefined && (slot.process === undefined || p.proc.id === slot.process),
      );
      if (!live) continue;
      this.violate(
        "4",
        `${this.short(node)}'s patches have been refused (403) for ${Math.round((now - w.from) / 1000)}s and ` +
          `${slot.process ?? "its process"} still holds the slot it took ${Math.round((now - (slot.since - this.t0)) / 1000)}s ago ` +
          "(the node is schedulable: nothing to undo)",
      );
      this.forbidden.delete(node);
    }
  }

  /** Invariant 3, at once: kured never uncordons a node an admin cordoned. */
  private checkAdminCordons(): void {
    for (const [node] of this.adminCordoned) {
      if (this.unschedulable(node) || this.cordonRaced.has(node)) continue;
      this.violate("3", `${this.short(node)} was uncordoned although an admin had cordoned it`);
      this.adminCordoned.delete(node);
    }
  }

  /**
   * Invariant 5, API load: requests per minute, over a sliding window, per running process. A
   * process that retries backs off; one that waits for the lock waits for a change or a period.
   */
  private checkLoad(): void {
    const processes = this.pods.flat().filter((p) => p.proc !== undefined || p.stopping !== undefined).length;
    this.loadProcesses = Math.max(this.loadProcesses, processes);
    const minute = Math.floor(this.now / MINUTE);
    if (minute === this.loadMinute) return;
    const total = this.env.server.audit.count();
    // a minute counts the most processes that ran in it (a node that went down took its own along)
    this.loadMinutes.push({ requests: total - this.loadTotal, processes: Math.max(1, this.loadProcesses) });
    this.loadTotal = total;
    this.loadMinute = minute;
    this.loadProcesses = processes;
    if (this.loadMinutes.length > LOAD_WINDOW_MIN) this.loadMinutes.shift();
    const sum = this.loadMinutes.reduce((a, m) => a + m.requests, 0);
    const budget = this.loadMinutes.reduce((a, m) => a + m.processes, 0) * (LOAD_MAX_PER_PROCESS / LOAD_WINDOW_MIN);
    const most = Math.max(...this.loadMinutes.map((m) => m.processes));
    this.maxLoad = Math.max(this.maxLoad, (sum / budget) * LOAD_MAX_PER_PROCESS);
    if (sum > budget)
      this.violate(
        "5",
        `${sum} API requests in the last ${this.loadMinutes.length} min from at most ${most} kured processes ` +
          `(more than ${LOAD_MAX_PER_PROCESS} each in ${LOAD_WINDOW_MIN} min: a loop that does not back off)`,
      );
  }

  /** Invariant 5, timers: a sleep that overflows a Node timer fires after 1 ms, over and over. */
  private checkTimers(): void {
    const minute = Math.floor(this.now / MINUTE);
    if (minute !== this.timerMark.minute) this.timerMark = { minute, count: this.timers.count };
    const set = this.timers.count - this.timerMark.count;
    if (set > TIMERS_MAX_PER_MINUTE)
      this.violate(
        "5",
        `${set} timers set within a minute (more than ${TIMERS_MAX_PER_MINUTE}): a sleep that fires at once, ` +
          "over and over (a delay past 2^31 − 1 ms given to setTimeout unclamped?)",
      );
  }

  private checks(): boolean {
    if (this.violations.length > 0) return true;
    this.checkTimers();
    if (this.now !== this.lastCheck) {
      this.lastCheck = this.now;
      this.checkLoad();
      this.checkForbidden();
      this.checkAdminCordons();
    }
    return this.violations.length > 0;
  }

  /** Invariant 4 after the quiesce: every slot of a node of ours belongs to a live process of it. */
  private checkTakeover(): void {
    const slots = storedSlots(this.env.server, this.place, this.env.clock.now());
    for (const slot of slots) {
      const node = this.names.indexOf(slot.node);
      if (node < 0) continue;
      const live = (this.pods[node] as Pod[]).flatMap((p) => (p.proc ? [p.proc.id] : []));
      if (slot.process !== undefined && live.includes(slot.process)) continue;
      if (this.rebooting.has(node)) continue;
      this.violate(
        "4",
        `${TAKEOVER_BOUND_MS / 60000} min after faults stopped and every process was (re)started, ` +
          `${this.short(node)}'s slot is still ${slot.process ?? "recorded without a process"}'s; live: ${live.join(", ") || "none"}`,
      );
    }
  }

  /** What is not clean yet (invariant 3), as readable reasons; empty when clean. */
  private unclean(): string[] {
    const out: string[] = [];
    if (this.needs.size > 0)
      out.push(`reboot still required on ${[...this.needs].map((n) => this.short(n)).join(",")}`);
    if (this.rebooting.size > 0)
      out.push(`still rebooting: ${[...this.rebooting].map((n) => this.short(n)).join(",")}`);
    const slots = storedSlots(this.env.server, this.place, this.env.clock.now());
    if (slots.length > 0)
      out.push(`lock not empty: ${slots.map((h) => `${this.short(h.node)}(${h.process ?? "-"})`).join(" ")}`);
    for (const [node] of this.names.entries()) {
      const o = this.nodeObject(node);
      const cordoned = this.unschedulable(node);
      const admin = this.adminCordoned.has(node);
      if (cordoned && !admin) out.push(`${this.short(node)} left cordoned`);
      if (!cordoned && admin && !this.cordonRaced.has(node))
        out.push(`${this.short(node)} uncordoned although an admin cordoned it`);
      const annotations = (o?.metadata.annotations ?? {}) as Record<string, string>;
      const left = BOOKKEEPING.filter((k) => annotations[k] !== undefined);
      if (left.length > 0)
        out.push(`${this.short(node)} still has ${left.map((k) => `${k}=${annotations[k]}`).join(", ")}`);
    }
    return out;
  }

  // ── the run ───────────────────────────────────────────────────────────────────────────────

  private async runPhase(until: number, extra: () => boolean = () => false): Promise<void> {
    const mark = this.sleep(until - this.now).catch(() => undefined);
    await this.env.clock.runUntil(() => this.checks() || extra() || this.now >= until, {
      maxMs: until - this.now + MINUTE,
    });
    void mark;
  }

  private quiesce(): void {
    this.log("QUIESCE: faults stop, the manual lock and Go kured let go, every process runs");
    this.env.server.faults.clear();
    this.forbidden.clear();
    this.goAbort.abort();
    const go = this.goOptions(0);
    const goRun = { ...go, signal: this.abort.signal };
    // every entry it holds (two overlapping Go acquires append two: Go does not de-duplicate)
    if (this.s.backend === "daemonset")
      void (async () => {
        for (let i = 0; i < 4 && (await goRelease(goRun)); i++);
      })().catch(() => undefined);
    void this.removeManualLock();
    for (const pods of this.pods) {
      for (const pod of pods) if (pod.which === 0 || pod.everStarted) this.restart(pod);
    }
  }

  async execute(): Promise<RunResult> {
    // every run starts on a whole minute: times stored with second precision (the lock's) round
    // alike in the run and in its replay
    const now = this.env.clock.now().getTime();
    await this.env.clock.advanceTo(Math.ceil(now / MINUTE) * MINUTE);
    this.t0 = this.env.clock.now().getTime();
    this.env.server.audit.clear();
    this.setUp();
    try {
      for (const pod of this.pods) this.start(pod[0] as Pod);
      for (const a of this.s.actions) {
        void this.sleep(a.at)
          .then(() => this.perform(a))
          .catch((e: unknown) => {
            if (!this.abort.signal.aborted && !this.goAbort.signal.aborted)
              this.violate("harness", `action failed: ${(e as Error).stack ?? String(e)}`);
          });
      }
      await this.runPhase(HORIZON_MS);
      if (this.violations.length === 0) {
        this.quiesce();
        await this.runPhase(HORIZON_MS + TAKEOVER_BOUND_MS);
        if (this.violations.length === 0) this.checkTakeover();
      }
      if (this.violations.length === 0) {
        try {
          await this.env.clock.runUntil(() => this.checks() || this.unclean().length === 0, {
            maxMs: SETTLE_BOUND_MS,
          });
        } catch (e) {
          if ((e as { code?: string }).code !== "KURED_TESTKIT_CLOCK_LIMIT") throw e;
        }
        const left = this.unclean();
        if (this.violations.length === 0 && left.length > 0)
          this.violate("3", `${SETTLE_BOUND_MS / 60000} min after the quiesce: ${left.join("; ")}`);
      }
    } finally {
      await this.close();
    }
    return {
      violations: this.violations,
      trace: this.trace,
      requests: this.requests,
      maxLoad: this.maxLoad,
      ...(this.counters ? { counters: this.counters } : {}),
      virtualMs: this.now,
      reboots: this.reboots.reduce((a, b) => a + b, 0),
    };
  }

  /** SIGTERM what still runs (bounded), then kill everything, and remove the run's objects. */
  private async close(): Promise<void> {
    this.env.server.faults.clear();
    const running = this.pods.flat().flatMap((p) => [p.proc, p.stopping].filter((x): x is Proc => x !== undefined));
    for (const proc of running) proc.controller.abort(new Error("SIGTERM"));
    try {
      await this.env.clock.runUntil(Promise.all(running.map((p) => p.done)), { maxMs: 10 * MINUTE });
    } catch {
      // stuck in its clean-up: killed below
    }
    this.closed = true;
    this.abort.abort();
    this.goAbort.abort();
    for (const proc of running) proc.ks.kill();
    this.unsubscribe?.();
    this.tearDown();
    this.requests = this.env.server.audit.count();
    if (process.env.KURED_MODEL_DEBUG || this.violations.length > 0) this.counters = this.env.server.audit.counters();
    this.env.server.audit.clear();
    await this.env.clock.settle();
  }
}
