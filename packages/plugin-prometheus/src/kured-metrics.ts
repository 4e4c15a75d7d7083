import { PHASES, type BusMessage, type Phase, type RebootEvent } from "@kured/core";
import { collectProcessMetrics, Counter, Gauge, Histogram, Registry } from "./prom.js";

/** Phases that end an attempt's wait for the blockers: from here on the node is past them. */
const PAST_BLOCKERS: ReadonlySet<Phase> = new Set([
  "lock-waiting",
  "lock-acquired",
  "draining",
  "drain-failed",
  "rebooting",
  "rebooted",
  "uncordoned",
  "lock-released",
]);

/** Phases that only mean "this node wants a reboot"; a not-required sample clears them. */
const WANTING: ReadonlySet<Phase> = new Set(["reboot-required", "blocked", "lock-waiting"]);

/** Drains last from minutes to hours. */
const DRAIN_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];

/** Lock waits last from nothing (a free slot) to days (a long rollout). */
const LOCK_WAIT_BUCKETS = [0.5, 1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400];

/** A blocker and its reason code, as a `blocked` event names them. */
interface BlockedBy {
  readonly blocker: string;
  readonly reason: string;
}

/** Options of the metric set. */
export interface KuredMetricsOptions {
  /** the node this daemon runs on: the subject of `lock-state` messages */
  readonly node: string;
  /** add the process metrics (`process_*`, `nodejs_heap_*`, …: see prom.ts); default true */
  readonly defaultMetrics?: boolean;
}

/**
 * kured's metrics in a private prom-client registry, kept up to date from the event bus.
 * `kured_reboot_required` is byte-compatible with Go kured; the rest is ours (docs/metrics.md).
 */
export class KuredMetrics {
  /** the registry `/metrics` serves; never prom-client's global one */
  readonly registry = new Registry();
  readonly #node: string;

  readonly #rebootRequired = new Gauge({
    name: "kured_reboot_required",
    help: "OS requires reboot due to software updates.",
    labelNames: ["node"] as const,
    registers: [this.registry],
  });
  readonly #lockHolders = new Gauge({
    name: "kured_lock_holders",
    help: "Number of nodes holding the reboot lock, as last seen by this daemon.",
    registers: [this.registry],
  });
  readonly #lockHeld = new Gauge({
    name: "kured_lock_held",
    help: "1 while this node holds a slot of the reboot lock, else 0.",
    labelNames: ["node"] as const,
    registers: [this.registry],
  });
  readonly #phase = new Gauge({
    name: "kured_phase",
    help: "1 for the reboot-cycle phase the node is in (its last phase event), 0 for every other phase.",
    labelNames: ["node", "phase"] as const,
    registers: [this.registry],
  });
  readonly #blocked = new Gauge({
    name: "kured_reboot_blocked",
    help: "1 while a blocker stops the node's reboot, labelled with the blocker's id and reason code.",
    labelNames: ["node", "blocker", "reason"] as const,
    registers: [this.registry],
  });
  readonly #reboots = new Counter({
    name: "kured_reboots_total",
    help: "Reboot attempts by outcome: rebooted, drain-failed or error.",
    labelNames: ["node", "result"] as const,
    registers: [this.registry],
  });
  readonly #drainDuration = new Histogram({
    name: "kured_drain_duration_seconds",
    help: "Time from the start of a drain to its end, by result (succeeded or failed).",
    labelNames: ["node", "result"] as const,
    buckets: DRAIN_BUCKETS,
    registers: [this.registry],
  });
  readonly #lockWait = new Histogram({
    name: "kured_lock_wait_seconds",
    help: "Time from the node's first wait for the reboot lock to acquiring it (0 when a slot was free).",
    labelNames: ["node"] as const,
    buckets: LOCK_WAIT_BUCKETS,
    registers: [this.registry],
  });

  /** per node: the blocked series currently at 1 */
  readonly #blockedBy = new Map<string, readonly BlockedBy[]>();
  /** per node: the phase whose series is 1 */
  readonly #current = new Map<string, Phase>();
  /** per node: when the current drain started (ms) */
  readonly #drainStart = new Map<string, number>();
  /** per node: when the node began to wait for the lock (ms) */
  readonly #waitStart = new Map<string, number>();
  /** nodes between lock-acquired and lock-released, whose errors count as failed attempts */
  readonly #attempting = new Set<string>();

  constructor(options: KuredMetricsOptions) {
    this.#node = options.node;
    if (options.defaultMetrics ?? true) collectProcessMetrics(this.registry);
    // Counters start at 0, so increase() sees the first attempt.
    for (const result of ["rebooted", "drain-failed", "error"]) this.#reboots.inc({ node: this.#node, result }, 0);
  }

  /** Applies one bus message. */
  handle(message: BusMessage): void {
    switch (message.kind) {
      case "reboot-required": {
        const { node, required } = message.sample;
        this.#rebootRequired.set({ node }, required ? 1 : 0);
        if (!required) this.#noLongerWanting(node);
        return;
      }
      case "lock-state": {
        const { holders } = message.state;
        this.#lockHolders.set(holders.length);
        this.#lockHeld.set({ node: this.#node }, holders.some((h) => h.holder === this.#node) ? 1 : 0);
        return;
      }
      case "drain-progress": {
        const { remaining, blockedBy } = message.progress;
        if (remaining === 0 && blockedBy === undefined) this.#endDrain(message.node, message.at, "succeeded");
        return;
      }
      case "phase":
        this.#onPhase(message.event);
        return;
    }
  }

  /** The exposition text, as `/metrics` serves it. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  #onPhase(event: RebootEvent): void {
    const { node, phase } = event;
    const at = event.at.getTime();
    this.#setPhase(node, phase);
    if (phase === "blocked") this.#setBlocked(node, blockedBy(event));
    else if (PAST_BLOCKERS.has(phase)) this.#setBlocked(node, []);

    switch (phase) {
      case "lock-waiting":
        if (!this.#waitStart.has(node)) this.#waitStart.set(node, at);
        break;
      case "lock-acquired":
        this.#lockWait.observe({ node }, Math.max(0, at - (this.#waitStart.get(node) ?? at)) / 1000);
        this.#waitStart.delete(node);
        this.#lockHeld.set({ node }, 1);
        this.#attempting.add(node);
        break;
      case "draining":
        this.#drainStart.set(node, at);
        break;
      case "drain-failed":
        this.#endDrain(node, event.at, "failed");
        this.#reboots.inc({ node, result: "drain-failed" });
        this.#attempting.delete(node);
        break;
      case "rebooting":
        this.#endDrain(node, event.at, "succeeded");
        break;
      case "rebooted":
        this.#reboots.inc({ node, result: "rebooted" });
        this.#attempting.delete(node);
        break;
      case "lock-released":
        this.#endDrain(node, event.at, "failed");
        this.#lockHeld.set({ node }, 0);
        this.#attempting.delete(node);
        break;
      case "error":
        this.#endDrain(node, event.at, "failed");
        if (this.#attempting.delete(node)) this.#reboots.inc({ node, result: "error" });
        break;
      default:
        break;
    }
  }

  #setPhase(node: string, phase: Phase | undefined): void {
    for (const p of PHASES) this.#phase.set({ node, phase: p }, p === phase ? 1 : 0);
    if (phase === undefined) this.#current.delete(node);
    else this.#current.set(node, phase);
  }

  /** Replaces the node's blocked series by `now`. */
  #setBlocked(node: string, now: readonly BlockedBy[]): void {
    for (const old of this.#blockedBy.get(node) ?? []) this.#blocked.remove({ node, ...old });
    for (const b of now) this.#blocked.set({ node, ...b }, 1);
    if (now.length === 0) this.#blockedBy.delete(node);
    else this.#blockedBy.set(node, now);
  }

  #endDrain(node: string, at: Date, result: "succeeded" | "failed"): void {
    const start = this.#drainStart.get(node);
    if (start === undefined) return;
    this.#drainStart.delete(node);
    this.#drainDuration.observe({ node, result }, Math.max(0, at.getTime() - start) / 1000);
  }

  /** The detector says no reboot is required: the node no longer waits for blockers or the lock. */
  #noLongerWanting(node: string): void {
    this.#setBlocked(node, []);
    this.#waitStart.delete(node);
    const current = this.#current.get(node);
    if (current !== undefined && WANTING.has(current)) this.#setPhase(node, undefined);
  }
}

/**
 * The blockers a `blocked` event names: every `id=reason-code` pair of `attributes.blockers`
 * (comma-separated, all blockers that blocked in that round) or else `attributes.blocker` with
 * the event's reason code.
 */
export function blockedBy(event: RebootEvent): BlockedBy[] {
  const all = event.attributes["blockers"];
  if (all !== undefined && all.trim() !== "") {
    return all
      .split(",")
      .map((pair) => pair.trim())
      .filter((pair) => pair !== "")
      .map((pair) => {
        const eq = pair.indexOf("=");
        return eq < 0
          ? { blocker: pair, reason: "unknown" }
          : { blocker: pair.slice(0, eq), reason: pair.slice(eq + 1) || "unknown" };
      });
  }
  return [{ blocker: event.attributes["blocker"] ?? "unknown", reason: event.reason?.code ?? "unknown" }];
}
