import type { V1Node } from "@kubernetes/client-node";
import type { Blocker, BlockerResult } from "../contracts/blocker.js";
import type { Clock } from "../contracts/clock.js";
import type { Detector } from "../contracts/detector.js";
import type { Drainer } from "../contracts/drainer.js";
import type { EventBus } from "../contracts/event-bus.js";
import type { Phase } from "../contracts/events.js";
import type { LockBackend, LockSlot } from "../contracts/lock-backend.js";
import type { Logger } from "../contracts/logger.js";
import type { NodeContext } from "../contracts/node-context.js";
import type { Reason } from "../contracts/reason.js";
import type { Rebooter } from "../contracts/rebooter.js";
import { apiErrorInfo } from "../kube/api-errors.js";
import { NodeAnnotations } from "../node/node-annotations.js";
import { isNodeReady, rfc3339Seconds, type NodeOperations } from "../node/node-operations.js";
import type { RebootWindow } from "../window/index.js";
import { mayAcquireNow } from "../lock/lock-queue.js";
import { ownedBy } from "../lock/annotation-lock-plan.js";
import { Backoff } from "./backoff.js";
import type { Checkpoint, CycleSettings } from "./cycle-settings.js";

/** What the coordinator works with; every part arrives through a contract. */
export interface CoordinatorOptions {
  readonly node: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly bus: EventBus;
  readonly window: RebootWindow;
  readonly detectors: readonly Detector[];
  readonly blockers: readonly Blocker[];
  readonly lock: LockBackend;
  readonly drainer: Drainer;
  readonly rebooter: Rebooter;
  readonly nodeOps: NodeOperations;
  /** optional: the node as a watch last saw it, so a quiet period costs no request */
  readonly nodeWatch?: { readonly current: V1Node | undefined; run(signal: AbortSignal): Promise<void> };
  readonly settings: CycleSettings;
  /** random numbers in [0, 1) for jitter; Math.random by default */
  readonly random?: () => number;
  /** test seam: return true at a checkpoint to stop dead, as a killed process would */
  readonly checkpoint?: (point: Checkpoint) => boolean | void;
  /**
   * this process's identity in the lock, unique per process start (default: time and a random number), so
   * that two processes with the same node name never take each other's slot
   */
  readonly process?: string;
  /** how often a held slot is renewed (its heartbeat; more often with a short TTL); default 30 s */
  readonly heartbeatMs?: number;
}

/** The outcome of one pass of the cycle. */
type TickOutcome = "idle" | "waiting" | "rebooting";

/** Thrown at a checkpoint to simulate a crash: nothing is cleaned up. */
class Halt extends Error {
  constructor(readonly point: Checkpoint) {
    super(`halted at ${point}`);
  }
}

const MINUTE = 60_000;
const HEARTBEAT_MS = 30_000;
/** A slot whose holder process has not renewed it for this many heartbeats is the holder's no more. */
const STALE_HEARTBEATS = 3;
/**
 * Consecutive failed passes while holding a slot after which the optional steps of giving it back
 * (post-reboot labels, clearing annotations) are skipped, so a persistent error (a 403, a webhook
 * refusing every node patch) cannot keep the slot held for ever.
 */
const MAX_HOLD_FAILURES = 3;
/**
 * The longest wait between two attempts at giving a slot back: every other node waits on that
 * slot, so these retries never inherit the period-long backoff of a failing reboot check (a few
 * requests per attempt, well within an API server's fair share for one client).
 */
const GIVE_BACK_RETRY_MAX_MS = 20_000;

function errorReason(code: string, e: unknown): Reason {
  const info = apiErrorInfo(e);
  if (info.code === 403) {
    return {
      code: "permission-denied",
      message:
        `${info.message}: kured's ServiceAccount lacks this permission; grant it (see deploy/kured-rbac.yaml). ` +
        "The lock slot is given back meanwhile",
    };
  }
  return { code, message: info.message };
}

/** What this process did to its node in the cycle it holds a slot for (forgotten once given back). */
interface HeldCycle {
  /** the slot, as acquired or adopted */
  slot: LockSlot;
  /** we may have cordoned it (set before the cordon call, which may fail after the fact) */
  cordoned: boolean;
  /** the cycle ended (failed, stopped, window closed): give the node and the slot back first */
  giveBack: boolean;
  /** consecutive failed attempts at giving back */
  failures: number;
  /** the boot the slot was taken or adopted under (renewals write it back if a Go kured dropped it) */
  readonly bootId: string | undefined;
}

/** The node annotation recording which slot the cordon bookkeeping belongs to. */
interface SlotRecord {
  readonly process?: string;
  /** the slot had a TTL: it may have expired while the node was down */
  readonly expires?: boolean;
  /**
   * kured's cordon is in place: written in the patch that cordoned, removed in the one that
   * uncordons, so it cannot outlive kured's cordon (a record whose clearing failed, say on a 403,
   * and a cordon an admin made since are never taken for kured's own)
   */
  readonly cordoned?: boolean;
}

function parseSlotRecord(raw: string | undefined): SlotRecord | undefined {
  if (raw === undefined) return undefined;
  try {
    const v = JSON.parse(raw) as { process?: unknown; expires?: unknown; cordoned?: unknown };
    return {
      ...(typeof v.process === "string" ? { process: v.process } : {}),
      ...(v.expires === true ? { expires: true } : {}),
      ...(v.cordoned === true ? { cordoned: true } : {}),
    };
  } catch {
    return {};
  }
}

/** A process identity: unique enough per process start, and cheap (node:crypto is not loaded for it). */
function newProcessId(): string {
  const random = Math.floor(Math.random() * 2 ** 48).toString(36);
  return `${Date.now().toString(36)}-${random}`;
}

function bootIdOf(node: V1Node): string | undefined {
  return node.status?.nodeInfo?.bootID || undefined;
}

/**
 * One per node: runs the reboot cycle of DESIGN.md §2. Everything it must remember lives in the
 * cluster (the lock and the node's annotations), so a restarted process resumes where the last
 * one stopped. API errors never end it: each pass that fails is retried after a capped, jittered
 * backoff, and nothing reboots without a confirmed lock slot.
 */
export class RebootCoordinator {
  private readonly backoff: Backoff;
  /** retries of a give-back (see {@link GIVE_BACK_RETRY_MAX_MS}) */
  private readonly giveBackBackoff: Backoff;
  /** this process's identity in the lock */
  readonly process: string;
  private readonly heartbeatMs: number;
  /** the cycle this process holds a slot for, if any */
  private held: HeldCycle | undefined;

  constructor(private readonly o: CoordinatorOptions) {
    this.process = o.process ?? newProcessId();
    this.heartbeatMs = Math.max(1_000, o.heartbeatMs ?? HEARTBEAT_MS);
    this.backoff = new Backoff({
      initialMs: 1_000,
      maxMs: Math.min(5 * MINUTE, o.settings.periodMs),
      ...(o.random ? { random: o.random } : {}),
    });
    this.giveBackBackoff = new Backoff({
      initialMs: 1_000,
      maxMs: Math.min(GIVE_BACK_RETRY_MAX_MS, o.settings.periodMs),
      ...(o.random ? { random: o.random } : {}),
    });
  }

  /** How long to wait after a failed pass: soon while a slot waits to be given back. */
  private retryDelay(): number {
    return this.held?.giveBack ? this.giveBackBackoff.next() : this.backoff.next();
  }

  /** Runs until `signal` aborts (or, after a reboot request, until the process is stopped). */
  async run(signal: AbortSignal): Promise<void> {
    const stopWatch = new AbortController();
    const watching = this.o.nodeWatch?.run(AbortSignal.any([signal, stopWatch.signal])).catch((err: unknown) => {
      this.o.log.warn({ err }, "node watch stopped");
    });
    try {
      await this.runCycle(signal);
    } finally {
      stopWatch.abort();
      await watching;
    }
  }

  private async runCycle(signal: AbortSignal): Promise<void> {
    let recovered = false;
    try {
      await this.recover(signal);
      recovered = true;
      let delay = this.firstDelay();
      for (;;) {
        const outcome = await this.waitThenTick(delay, signal);
        if (outcome === "rebooting") return await this.waitForReboot(signal);
        delay = outcome === "failed" ? this.retryDelay() : this.o.settings.periodMs;
      }
    } catch (e) {
      if (e instanceof Halt) return;
      // Stopped (SIGTERM) with a give-back still pending (it failed so far, e.g. on a 403): one
      // last bounded attempt, so the slot is not left to a process that is gone. Not during the
      // start-up recovery, which may be waiting for a reboot that is about to happen.
      if (signal.aborted && recovered && this.held?.giveBack) await this.lastGiveBack();
      if (signal.aborted) return;
      throw e;
    }
  }

  /** First check after a uniform random delay in [0.5, 1.5) × period, so nodes spread out. */
  private firstDelay(): number {
    const random = this.o.random ?? Math.random;
    return this.o.settings.periodMs * (0.5 + random());
  }

  private ctx(signal: AbortSignal): NodeContext {
    return { node: this.o.node, signal, log: this.o.log, clock: this.o.clock };
  }

  private publish(phase: Phase, reason?: Reason, attributes: Record<string, string> = {}): void {
    this.o.bus.publish({
      kind: "phase",
      event: { phase, node: this.o.node, at: this.o.clock.now(), ...(reason ? { reason } : {}), attributes },
    });
  }

  private halt(point: Checkpoint): void {
    if (this.o.checkpoint?.(point)) throw new Halt(point);
  }

  // ── start-up: finish what a previous process (or the reboot) left ────────────────────────────

  /** Retries start-up recovery until it completes; API errors never end the process. */
  private async recover(signal: AbortSignal): Promise<void> {
    for (;;) {
      try {
        await this.recoverOnce(signal);
        this.backoff.reset();
        return;
      } catch (e) {
        if (e instanceof Halt || signal.aborted) throw e;
        if (this.held) this.held.failures++;
        this.o.log.error({ err: e }, "start-up recovery failed, will retry");
        this.publish("error", errorReason("recovery-failed", e));
        await this.o.clock.sleep(this.retryDelay(), signal);
      }
    }
  }

  private async recoverOnce(signal: AbortSignal): Promise<void> {
    let node = await this.o.nodeOps.get();
    const found = await this.o.lock.holding({ holder: this.o.node, signal });
    const slot = found && (await this.claim(found, signal));
    if (slot) {
      // ours now: a cycle of this node (before or after its reboot) to finish
      // failed attempts count across retries of the recovery, as across passes of a give-back
      const failures = this.held && this.held.slot.process === slot.process ? this.held.failures : 0;
      this.held = { slot, cordoned: true, giveBack: true, failures, bootId: slot.bootId };
      await this.whileRenewing(signal, async (held) => {
        node = await this.waitForBoot(node, held);
        node = await this.waitForReady(node, held);
        await this.finishReboot(node, slot, held);
      });
    } else if (found === undefined || (await this.o.lock.holding({ holder: this.o.node, signal })) === undefined) {
      node = await this.o.nodeOps.get();
      await this.settleStaleAnnotations(node);
    }
    // (a slot of this node that another live process holds is left alone: that process's cycle)
    // kured drops a leftover taint at start when no reboot is needed (only worth a check if tainting)
    if (this.o.settings.preferNoScheduleTaint && !(await this.rebootRequired(node, signal)).required) {
      await this.setTaint(false, signal);
    }
  }

  /**
   * Takes over this node's slot found at start, when it can be proven that no other live process
   * holds it: it is this process's, or it records no process (Go kured's, an older kured-ts's:
   * kured takes it over too), or the node rebooted since it was taken (a changed boot ID), or the
   * holding process stopped renewing it (gone for longer than three heartbeats). Waits for that
   * while the slot is renewed; undefined when the slot went away or another process keeps it.
   */
  private async claim(found: LockSlot, signal: AbortSignal): Promise<LockSlot | undefined> {
    let slot: LockSlot | undefined = found;
    let reported = false;
    while (slot) {
      if (slot.process === this.process) return slot;
      const boot = bootIdOf(await this.o.nodeOps.get());
      const rebooted = slot.bootId !== undefined && boot !== undefined && slot.bootId !== boot;
      const staleAt = (slot.renewedAt ?? slot.acquiredAt).getTime() + STALE_HEARTBEATS * this.heartbeatMs;
      const now = this.o.clock.now().getTime();
      if (slot.process === undefined || rebooted || now >= staleAt) {
        // only as seen now: a heartbeat since (a live process after all) makes the adopt fail
        const adopted = await this.adopt(slot, boot, signal);
        if (adopted) {
          this.o.log.info(
            { from: slot.process ?? "none" },
            "Took over this node's lock slot left by an earlier process",
          );
          return adopted;
        }
      } else {
        if (!reported) {
          reported = true;
          this.o.log.warn(
            { process: slot.process },
            "This node's lock slot is held by another live kured process (two processes with the same --node-id?); waiting",
          );
          this.publish("error", {
            code: "duplicate-process",
            message: `the lock slot of ${this.o.node} is held by another running kured process; is kured running twice with the same --node-id?`,
          });
        }
        await this.o.clock.sleep(Math.max(1_000, staleAt - now), signal);
      }
      slot = await this.o.lock.holding({ holder: this.o.node, signal });
      // another process took it meanwhile (a slot that lost its process to a Go kured rewrite is
      // not that: it is taken over like any slot that names none)
      if (slot && slot.process !== undefined && slot.process !== found.process) return undefined;
    }
    return undefined;
  }

  /** Hands a found slot to this process, conditionally (backends without `adopt`: by node name, as kured). */
  private async adopt(slot: LockSlot, bootId: string | undefined, signal: AbortSignal): Promise<LockSlot | undefined> {
    if (!this.o.lock.adopt) return slot;
    return this.o.lock.adopt({
      holder: this.o.node,
      process: this.process,
      from: slot.process,
      heartbeat: slot.renewedAt ?? slot.acquiredAt,
      ...(bootId ? { bootId } : {}),
      signal,
    });
  }

  /**
   * Our bookkeeping annotations on a node whose slot is gone. They are acted on only when the
   * slot they belong to could have expired (it had a TTL) and the node is still cordoned as kured
   * left it (the record says so, written with the cordon itself): the TTL ran out while the node
   * was down, and kured must not leave it cordoned.
   * Otherwise (the slot was released by someone else: Go kured after a swap, a manual unlock)
   * they are stale: cleared, never acted on, so a cordon made since by an admin stays.
   */
  private async settleStaleAnnotations(node: V1Node): Promise<void> {
    const before = annotation(node, NodeAnnotations.unschedulableBeforeDrain);
    const record = parseSlotRecord(annotation(node, NodeAnnotations.lockSlot));
    if (
      before === undefined &&
      record === undefined &&
      annotation(node, NodeAnnotations.bootIdBeforeReboot) === undefined
    )
      return;
    if (
      record?.expires === true &&
      record.cordoned === true &&
      before === "false" &&
      node.spec?.unschedulable === true
    ) {
      this.o.log.warn("The lock slot of this node's reboot expired before it was back; restoring the node");
      const bootBefore = annotation(node, NodeAnnotations.bootIdBeforeReboot);
      const rebooted = bootBefore !== undefined && bootBefore !== bootIdOf(node);
      await this.restoreNode(node, false, rebooted, AbortSignal.timeout(MINUTE));
      return;
    }
    if (node.spec?.unschedulable === true && before === "false") {
      this.publish("error", {
        code: "stale-annotations",
        message:
          "kured's cordon bookkeeping on this node belongs to no lock slot (the slot was released by another " +
          "process); the node is cordoned and left so: uncordon it by hand if kured cordoned it",
      });
    }
    await this.o.nodeOps.annotate(this.bookkeepingToClear(node));
  }

  /** Our annotations present on the node, as a patch removing them. */
  private bookkeepingToClear(node: V1Node): Record<string, null> {
    const clear: Record<string, null> = {};
    for (const key of [
      NodeAnnotations.unschedulableBeforeDrain,
      NodeAnnotations.bootIdBeforeReboot,
      NodeAnnotations.lockSlot,
    ]) {
      if (annotation(node, key) !== undefined) clear[key] = null;
    }
    return clear;
  }

  /** After the reboot (or a crash while holding the lock): restore the node, then release. */
  private async finishReboot(node: V1Node, slot: LockSlot, signal: AbortSignal): Promise<void> {
    const bootBefore = annotation(node, NodeAnnotations.bootIdBeforeReboot);
    const rebooted = bootBefore !== undefined && bootBefore !== bootIdOf(node);
    if (rebooted) this.publish("rebooted");
    // the slot's record, made at acquire from the node as it was before kured touched it
    await this.restoreNode(node, slot.wasUnschedulable, rebooted, signal);
    this.halt("uncordoned");
    await this.release(signal);
  }

  /**
   * Uncordons unless someone else had cordoned the node, applies the post-reboot labels (also to
   * a node cordoned before, kured#1328), and removes our bookkeeping annotations. The uncordon
   * must succeed; after {@link MAX_HOLD_FAILURES} failed attempts the labels and annotations are
   * given up (with an error event), so they never keep a slot held.
   */
  private async restoreNode(
    node: V1Node,
    cordonedBefore: boolean,
    rebooted: boolean,
    signal: AbortSignal,
  ): Promise<void> {
    const timeout = AbortSignal.any([signal, AbortSignal.timeout(MINUTE)]);
    if (!cordonedBefore) {
      // the record of kured's cordon goes in the same patch: it never outlives the cordon
      await this.o.drainer.uncordon({ ...this.ctx(timeout), annotations: { [NodeAnnotations.lockSlot]: null } });
      if (this.held) this.held.cordoned = false;
      this.publish("uncordoned");
    }
    const optional = async (what: string, step: (signal: AbortSignal) => Promise<void>): Promise<void> => {
      try {
        await step(timeout);
      } catch (e) {
        if (timeout.aborted && signal.aborted) throw e;
        if ((this.held?.failures ?? 0) < MAX_HOLD_FAILURES - 1) throw e;
        this.o.log.error({ err: e }, `giving up ${what} to give the lock slot back; it is retried without the slot`);
        this.publish("error", errorReason(`${what.replace(/ /g, "-")}-failed`, e));
        this.leftovers.set(what, step);
      }
    };
    await optional("post-reboot labels", () => this.o.nodeOps.label(this.o.settings.postRebootLabels));
    await optional("clearing annotations", async (timeout) => {
      const clear = this.bookkeepingToClear(node);
      if (rebooted && annotation(node, NodeAnnotations.rebootRequested) !== undefined) {
        clear[NodeAnnotations.rebootRequested] = null;
      }
      if (this.o.settings.annotateNodes && annotation(node, NodeAnnotations.rebootInProgress) !== undefined) {
        const fresh = await this.o.nodeOps.get();
        if (!(await this.rebootRequired(fresh, timeout)).required) clear[NodeAnnotations.rebootInProgress] = null;
      }
      await this.o.nodeOps.annotate(clear);
    });
  }

  /**
   * When a reboot was requested but the node still has the same boot ID, the reboot may be about
   * to happen (a process that died right after asking): wait for it rather than release the lock
   * early and let another node start. Gives up after `--post-reboot-ready-timeout`.
   */
  private async waitForBoot(node: V1Node, signal: AbortSignal): Promise<V1Node> {
    const before = annotation(node, NodeAnnotations.bootIdBeforeReboot);
    const deadline = this.o.clock.now().getTime() + this.o.settings.postRebootReadyTimeoutMs;
    let current = node;
    while (before !== undefined && bootIdOf(current) === before) {
      if (this.o.clock.now().getTime() >= deadline) {
        this.publish("error", {
          code: "reboot-did-not-happen",
          message: `a reboot was requested but the node did not reboot within ${Math.round(this.o.settings.postRebootReadyTimeoutMs / 1000)}s; releasing the lock`,
        });
        return current;
      }
      await this.o.clock.sleep(5_000, signal);
      current = await this.o.nodeOps.get();
    }
    return current;
  }

  /** Waits until the node reports Ready, at most `--post-reboot-ready-timeout`. */
  private async waitForReady(node: V1Node, signal: AbortSignal): Promise<V1Node> {
    const deadline = this.o.clock.now().getTime() + this.o.settings.postRebootReadyTimeoutMs;
    let current = node;
    while (!isNodeReady(current)) {
      if (this.o.clock.now().getTime() >= deadline) {
        this.publish("error", {
          code: "node-not-ready",
          message: `node not Ready ${Math.round(this.o.settings.postRebootReadyTimeoutMs / 1000)}s after the reboot; releasing the lock anyway`,
        });
        return current;
      }
      await this.o.clock.sleep(5_000, signal);
      current = await this.o.nodeOps.get();
    }
    return current;
  }

  /** Frees this process's slot (never another process's, not even on the same node). */
  private async release(signal: AbortSignal): Promise<void> {
    await this.o.lock.release({ holder: this.o.node, process: this.process, signal });
    this.held = undefined;
    this.halt("released");
    this.publish("lock-released");
  }

  // ── holding a slot: renewal and fencing ───────────────────────────────────────────────────────

  /**
   * Runs `work` while the held slot is renewed every heartbeat (a third of the TTL if that is
   * shorter). When the slot is found lost (expired and taken, released or adopted by another
   * process, the lock object gone), the signal given to `work` aborts with {@link LockLost}.
   */
  private async whileRenewing<T>(signal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const stop = new AbortController();
    const lost = new AbortController();
    const renewing = this.renewLoop(AbortSignal.any([signal, stop.signal]), lost);
    try {
      return await work(AbortSignal.any([signal, lost.signal]));
    } catch (e) {
      if (lost.signal.aborted && !signal.aborted && !(e instanceof Halt)) throw new LockLost();
      throw e;
    } finally {
      stop.abort();
      await renewing;
    }
  }

  private async renewLoop(signal: AbortSignal, lost: AbortController): Promise<void> {
    for (;;) {
      const slot = this.held?.slot;
      const ttlMs = slot?.expiresAt ? slot.expiresAt.getTime() - (slot.renewedAt ?? slot.acquiredAt).getTime() : 0;
      const every = ttlMs > 0 ? Math.max(1_000, Math.min(this.heartbeatMs, ttlMs / 3)) : this.heartbeatMs;
      try {
        await this.o.clock.sleep(every, signal);
      } catch {
        return;
      }
      try {
        const renewed = await this.renew(signal);
        if (!renewed) {
          if (signal.aborted) return;
          this.o.log.error("This process's lock slot is gone (expired, released or taken over); stopping the cycle");
          lost.abort(new LockLost());
          return;
        }
        if (this.held) this.held.slot = renewed;
      } catch (err) {
        if (signal.aborted) return;
        this.o.log.warn({ err }, "renewing the lock slot failed, will retry");
      }
    }
  }

  /** Renews this process's slot; undefined when it holds none (backends without `renew`: by reading it). */
  private async renew(signal: AbortSignal): Promise<LockSlot | undefined> {
    if (this.o.lock.renew) {
      const bootId = this.held?.bootId;
      return this.o.lock.renew({ holder: this.o.node, process: this.process, ...(bootId ? { bootId } : {}), signal });
    }
    const slot = await this.o.lock.holding({ holder: this.o.node, signal });
    return slot && ownedBy(slot, this.process) ? slot : undefined;
  }

  // ── the period loop ───────────────────────────────────────────────────────────────────────────

  /**
   * Sleeps `delay`, then runs one pass. While waiting for the lock, a change of the lock wakes it
   * early (instant hand-off); the pass then re-checks the window and blockers first.
   */
  private async waitThenTick(delay: number, signal: AbortSignal): Promise<TickOutcome | "failed"> {
    await this.sleepOrLockChange(delay, signal);
    try {
      const outcome = await this.tick(signal);
      this.waiting = outcome === "waiting";
      this.backoff.reset();
      return outcome;
    } catch (e) {
      if (e instanceof Halt || signal.aborted) throw e;
      // a failed pass is not waiting for the lock: its retry sleeps the backoff, not until the
      // lock changes (which, holding a slot, would wake it at once: a retry loop)
      this.waiting = false;
      this.o.log.error({ err: e }, "reboot check failed, will retry");
      this.publish("error", errorReason("check-failed", e));
      return "failed";
    }
  }

  private waiting = false;

  /**
   * Clean-up steps given up to give a slot back (post-reboot labels, clearing kured's
   * annotations): none of them needs the lock, so each pass retries them until they succeed,
   * and a new cycle drops them (it does them again when it ends).
   */
  private readonly leftovers = new Map<string, (signal: AbortSignal) => Promise<void>>();

  private async finishLeftovers(signal: AbortSignal): Promise<void> {
    for (const [what, step] of this.leftovers) {
      try {
        await step(AbortSignal.any([signal, AbortSignal.timeout(MINUTE)]));
        this.leftovers.delete(what);
        this.o.log.info(`${what}: done now`);
      } catch (err) {
        if (signal.aborted) throw err;
        this.o.log.warn({ err }, `${what} failed again; will retry`);
      }
    }
  }

  private async sleepOrLockChange(delay: number, signal: AbortSignal): Promise<void> {
    if (!this.waiting) return this.o.clock.sleep(delay, signal);
    const stop = new AbortController();
    const both = AbortSignal.any([signal, stop.signal]);
    const freed = (async () => {
      try {
        for await (const state of this.o.lock.changes({ signal: both })) {
          this.o.bus.publish({ kind: "lock-state", state, at: this.o.clock.now() });
          if (mayAcquireNow(state, this.o.node, this.process)) return;
        }
      } catch {
        // a broken watch just means we wait for the period
      }
      await new Promise<never>(() => undefined);
    })();
    const started = this.o.clock.now().getTime();
    try {
      await Promise.race([this.o.clock.sleep(delay, both), freed]);
    } finally {
      stop.abort();
    }
    if (signal.aborted) throw signal.reason;
    // Never ask more than once a second, whatever the watch says.
    const waited = this.o.clock.now().getTime() - started;
    if (waited < 1_000) await this.o.clock.sleep(1_000 - waited, signal);
  }

  /** One pass: (an unfinished give-back) → window → detectors → annotate → blockers → lock → drain and reboot. */
  private async tick(signal: AbortSignal): Promise<TickOutcome> {
    // A cycle that ended without giving the node and slot back (an error midway) finishes that
    // first: its cordon state is known, never re-derived from a node kured cordoned itself.
    if (this.held?.giveBack) {
      await this.giveBack(signal);
      return "idle";
    }
    if (this.leftovers.size > 0 && !this.held) await this.finishLeftovers(signal);
    if (!this.o.window.contains(this.o.clock.now())) {
      await this.setTaint(false, signal);
      await this.leaveQueue(signal);
      return "idle";
    }
    // the watched copy when the watch is up: no request at all in a period with nothing to do
    const node = this.o.nodeWatch?.current ?? (await this.o.nodeOps.get());
    const detection = await this.rebootRequired(node, signal);
    if (!detection.required) {
      this.o.log.info("Reboot not required");
      await this.setTaint(false, signal);
      await this.leaveQueue(signal);
      return "idle";
    }
    this.publish("reboot-required", detection.reason);
    await this.annotateProgress(node);
    const blocked = await this.checkBlockers(signal);
    if (blocked) {
      this.publish("blocked", blocked.reason, { blocker: blocked.blocker });
      await this.leaveQueue(signal);
      return "idle";
    }
    const slot = await this.acquireLock(signal);
    if (!slot) return "waiting";
    return this.drainAndReboot(slot, signal);
  }

  /** Any detector saying "required", or the reboot-on-demand annotation. */
  private async rebootRequired(node: V1Node, signal: AbortSignal): Promise<{ required: boolean; reason?: Reason }> {
    if (annotation(node, NodeAnnotations.rebootRequested) !== undefined) {
      return {
        required: true,
        reason: { code: "reboot-requested", message: `node annotated ${NodeAnnotations.rebootRequested}` },
      };
    }
    for (const detector of this.o.detectors) {
      try {
        const result = await detector.check(this.ctx(signal));
        if (result.required) return { required: true, ...(result.reason ? { reason: result.reason } : {}) };
      } catch (e) {
        if (signal.aborted) throw e;
        this.o.log.warn({ err: e, detector: detector.id }, "reboot detector failed; counting it as not required");
      }
    }
    return { required: false };
  }

  /** kured's two progress annotations, written before the blockers so blocked nodes show them too. */
  private async annotateProgress(node: V1Node): Promise<void> {
    if (!this.o.settings.annotateNodes || annotation(node, NodeAnnotations.rebootInProgress) !== undefined) return;
    const now = rfc3339Seconds(this.o.clock.now());
    await this.o.nodeOps.annotate({
      [NodeAnnotations.rebootInProgress]: now,
      [NodeAnnotations.mostRecentRebootNeeded]: now,
    });
  }

  /** Every blocker, in order; the first that blocks wins; an error blocks. */
  private async checkBlockers(signal: AbortSignal): Promise<{ blocker: string; reason: Reason } | undefined> {
    for (const blocker of this.o.blockers) {
      let result: BlockerResult;
      try {
        result = await blocker.check(this.ctx(signal));
      } catch (e) {
        if (signal.aborted) throw e;
        return { blocker: blocker.id, reason: errorReason("blocker-error", e) };
      }
      if (result.blocked) return { blocker: blocker.id, reason: result.reason };
    }
    return undefined;
  }

  /**
   * Holds or takes a slot; on contention adds the taint and reports the holders. Whether the node
   * was cordoned before is read fresh from the API server (not from the watch, which may not have
   * seen kured's own uncordon yet), and only here: it is recorded in the slot, once.
   */
  private async acquireLock(signal: AbortSignal): Promise<LockSlot | undefined> {
    const held = await this.o.lock.holding({ holder: this.o.node, signal });
    if (held && held.process === this.process) return held;
    const node = await this.o.nodeOps.get();
    const bootId = bootIdOf(node);
    const result = await this.o.lock.acquire({
      holder: this.o.node,
      process: this.process,
      ...(bootId ? { bootId } : {}),
      wasUnschedulable: node.spec?.unschedulable === true,
      signal,
    });
    if (!result.acquired) {
      this.publish("lock-waiting", result.reason, { holder: result.holders.map((h) => h.holder).join(",") });
      await this.setTaint(true, signal);
      return undefined;
    }
    this.publish("lock-acquired");
    return result.slot;
  }

  /** A node that stopped waiting (blocked, window closed, no reboot needed) frees its queue place. */
  private async leaveQueue(signal: AbortSignal): Promise<void> {
    if (!this.waiting || !this.o.lock.leaveQueue) return;
    this.waiting = false;
    await this.o.lock.leaveQueue({ holder: this.o.node, signal });
  }

  private async setTaint(present: boolean, signal: AbortSignal): Promise<void> {
    const key = this.o.settings.preferNoScheduleTaint;
    if (key) await this.o.nodeOps.setPreferNoScheduleTaint(key, present, signal);
  }

  // ── holding the lock ──────────────────────────────────────────────────────────────────────────

  /**
   * Pre labels → drain delay → cordon → drain → reboot delay → window again → fence → reboot, with
   * the slot renewed throughout. Any failure gives the node and the slot back (now, or at the next
   * pass if that fails too); only a fenced reboot keeps the slot.
   */
  private async drainAndReboot(slot: LockSlot, signal: AbortSignal): Promise<TickOutcome> {
    this.held = { slot, cordoned: false, giveBack: false, failures: 0, bootId: slot.bootId };
    this.leftovers.clear();
    this.waiting = false;
    this.halt("lock-acquired");
    let outcome: TickOutcome;
    try {
      outcome = await this.whileRenewing(signal, (held) => this.holdAndReboot(slot, held));
    } catch (e) {
      if (e instanceof Halt) throw e;
      const cycle = this.held;
      if (cycle) cycle.giveBack = true;
      if (e instanceof LockLost) {
        this.publish("error", {
          code: "lock-lost",
          message: "this node's lock slot expired or was taken while it drained; the reboot is called off",
        });
      } else if (!signal.aborted) {
        this.publish("error", errorReason("cycle-failed", e));
      }
      // Stopped (SIGTERM) or failed before the reboot: leave no cordon behind.
      const bounded = signal.aborted ? AbortSignal.timeout(MINUTE) : signal;
      let gaveBack = false;
      try {
        await this.giveBack(bounded);
        gaveBack = true;
      } catch (err) {
        this.o.log.error({ err }, "could not give the node and the lock slot back; will retry");
      }
      if (signal.aborted) throw e;
      // Given back: try again next period, not at once (a persistent error must not hog the lock).
      if (gaveBack) {
        if (!(e instanceof LockLost)) {
          this.o.log.error({ err: e }, "the reboot cycle failed; the node and the lock slot were given back");
        }
        return "idle";
      }
      throw e;
    }
    if (outcome === "rebooting") return outcome;
    return "idle";
  }

  private async holdAndReboot(slot: LockSlot, signal: AbortSignal): Promise<TickOutcome> {
    await this.recordCordonState(slot);
    await this.o.nodeOps.label(this.o.settings.preRebootLabels);
    this.halt("pre-labels");
    await this.o.clock.sleep(this.o.settings.drainDelayMs, signal);
    this.publish("draining");
    await this.flushEvents(signal); // kured notifies before it cordons
    if (this.held) this.held.cordoned = true;
    // the record says "kured's cordon" in the very patch that cordons (nothing if already cordoned)
    const cordonRecord = JSON.stringify({ ...this.slotRecord(slot), cordoned: true });
    await this.o.drainer.cordon({ ...this.ctx(signal), annotations: { [NodeAnnotations.lockSlot]: cordonRecord } });
    this.halt("cordoned");
    const drained = await this.drain(signal);
    if (!drained && !this.o.settings.forceReboot) return this.endCycle(signal);
    this.halt("drained");
    await this.o.clock.sleep(this.o.settings.rebootDelayMs, signal);
    this.halt("reboot-delay");
    if (!this.o.window.contains(this.o.clock.now())) {
      this.publish("blocked", { code: "window-closed", message: `the reboot window ${this.o.window} closed` });
      return this.endCycle(signal);
    }
    const bootId = bootIdOf(await this.o.nodeOps.get());
    if (bootId) await this.o.nodeOps.annotate({ [NodeAnnotations.bootIdBeforeReboot]: bootId });
    this.publish("rebooting");
    await this.flushEvents(signal); // the node may die the moment the rebooter runs
    // Fencing: the slot is re-read (and renewed) right before the reboot; no slot, no reboot.
    const fenced = await this.renew(signal);
    if (!fenced || (fenced.expiresAt && fenced.expiresAt.getTime() <= this.o.clock.now().getTime())) {
      throw new LockLost();
    }
    try {
      await this.o.rebooter.reboot(this.ctx(signal));
    } catch (e) {
      if (signal.aborted) throw e;
      // A broken reboot command must not leave the node cordoned and the lock held, nor repeat the
      // drain at every retry: give the node back and try again next period.
      this.publish("error", errorReason("reboot-failed", e));
      await this.o.nodeOps.annotate({ [NodeAnnotations.bootIdBeforeReboot]: null });
      return this.endCycle(signal);
    }
    // From here the slot is not renewed: if the node never comes back, a TTL lets it go.
    this.halt("reboot-requested");
    return "rebooting";
  }

  /**
   * The cordon bookkeeping on the node, from the slot (recorded at acquire from the node as it was
   * before kured touched it), tagged with the slot's process so that a later process can tell
   * whether it belongs to a slot that still exists. Rewritten when it belongs to another slot.
   */
  private async recordCordonState(slot: LockSlot): Promise<void> {
    const node = await this.o.nodeOps.get();
    const record = JSON.stringify(this.slotRecord(slot));
    const before = String(slot.wasUnschedulable);
    if (
      annotation(node, NodeAnnotations.lockSlot) === record &&
      annotation(node, NodeAnnotations.unschedulableBeforeDrain) === before
    )
      return;
    await this.o.nodeOps.annotate({
      [NodeAnnotations.unschedulableBeforeDrain]: before,
      [NodeAnnotations.lockSlot]: record,
      ...(annotation(node, NodeAnnotations.bootIdBeforeReboot) !== undefined
        ? { [NodeAnnotations.bootIdBeforeReboot]: null }
        : {}),
    });
  }

  private slotRecord(slot: LockSlot): SlotRecord {
    return { process: this.process, expires: slot.expiresAt !== undefined };
  }

  /** Ends a held cycle without a reboot: the node and the slot are given back. */
  private async endCycle(signal: AbortSignal): Promise<TickOutcome> {
    if (this.held) this.held.giveBack = true;
    await this.giveBack(signal);
    return "idle";
  }

  /**
   * Gives the node and the slot back: uncordon (unless it was cordoned before), post labels, our
   * annotations cleared, then release. Failures leave it pending for the next pass; the uncordon
   * is never skipped while kured may have cordoned the node (the slot stays held until it is done,
   * so the node is never left cordoned by kured without a slot saying so).
   */
  private async giveBack(signal: AbortSignal): Promise<void> {
    const cycle = this.held;
    if (!cycle) return;
    try {
      const node = await this.o.nodeOps.get();
      await this.restoreNode(node, cycle.slot.wasUnschedulable || !cycle.cordoned, false, signal);
      await this.release(signal);
      this.backoff.reset();
      this.giveBackBackoff.reset();
    } catch (e) {
      cycle.failures++;
      throw e;
    }
  }

  /** A stopping process's last give-back: bounded, the optional steps given up on their first failure. */
  private async lastGiveBack(): Promise<void> {
    const cycle = this.held;
    if (!cycle) return;
    cycle.failures = Math.max(cycle.failures, MAX_HOLD_FAILURES - 1);
    try {
      await this.giveBack(AbortSignal.timeout(MINUTE));
    } catch (err) {
      this.o.log.error({ err }, "stopping: could not give the node and the lock slot back");
    }
  }

  private async drain(signal: AbortSignal): Promise<boolean> {
    let first = true;
    const result = await this.o.drainer.drain({
      ...this.ctx(signal),
      options: this.o.settings.drain,
      onProgress: (progress) => {
        if (first) {
          first = false;
          this.halt("mid-drain");
        }
        this.o.bus.publish({ kind: "drain-progress", node: this.o.node, progress, at: this.o.clock.now() });
      },
    });
    if (result.ok) return true;
    this.publish("drain-failed", result.reason, { remainingPods: result.remainingPods.join(",") });
    return false;
  }

  /**
   * Lets subscribers (notifiers above all) finish what was published so far, for at most a
   * minute: every notifier has its own shorter timeout, this only bounds a stuck subscriber.
   */
  private async flushEvents(signal: AbortSignal): Promise<void> {
    const stop = new AbortController();
    const timer = this.o.clock.sleep(MINUTE, AbortSignal.any([signal, stop.signal])).catch(() => undefined);
    try {
      await Promise.race([this.o.bus.drain(), timer]);
    } finally {
      stop.abort();
    }
    signal.throwIfAborted();
  }

  /** After the reboot request: the process dies with the node; log until then. */
  private async waitForReboot(signal: AbortSignal): Promise<void> {
    for (;;) {
      this.o.log.info("Waiting for reboot");
      await this.o.clock.sleep(MINUTE, signal);
    }
  }
}

/** The held slot was found lost: the cycle stops without a reboot. */
class LockLost extends Error {
  constructor() {
    super("this process's lock slot was lost");
  }
}

function annotation(node: V1Node, key: string): string | undefined {
  return node.metadata?.annotations?.[key];
}
