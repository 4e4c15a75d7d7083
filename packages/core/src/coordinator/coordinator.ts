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

/** Annotation value meaning "the node was cordoned before kured cordoned it". */
const CORDONED_BEFORE = "true";

function errorReason(code: string, e: unknown): Reason {
  return { code, message: apiErrorInfo(e).message };
}

/**
 * One per node: runs the reboot cycle of DESIGN.md §2. Everything it must remember lives in the
 * cluster (the lock and the node's annotations), so a restarted process resumes where the last
 * one stopped. API errors never end it: each pass that fails is retried after a capped, jittered
 * backoff, and nothing reboots without a confirmed lock slot.
 */
export class RebootCoordinator {
  private readonly backoff: Backoff;

  constructor(private readonly o: CoordinatorOptions) {
    this.backoff = new Backoff({
      initialMs: 1_000,
      maxMs: Math.min(5 * MINUTE, o.settings.periodMs),
      ...(o.random ? { random: o.random } : {}),
    });
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
    try {
      await this.recover(signal);
      let delay = this.firstDelay();
      for (;;) {
        const outcome = await this.waitThenTick(delay, signal);
        if (outcome === "rebooting") return await this.waitForReboot(signal);
        delay = outcome === "failed" ? this.backoff.next() : this.o.settings.periodMs;
      }
    } catch (e) {
      if (e instanceof Halt || signal.aborted) return;
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
        this.o.log.error({ err: e }, "start-up recovery failed, will retry");
        this.publish("error", errorReason("recovery-failed", e));
        await this.o.clock.sleep(this.backoff.next(), signal);
      }
    }
  }

  private async recoverOnce(signal: AbortSignal): Promise<void> {
    const slot = await this.o.lock.holding({ holder: this.o.node, signal });
    let node = await this.o.nodeOps.get();
    if (slot) {
      node = await this.waitForBoot(node, signal);
      node = await this.waitForReady(node, signal);
      await this.finishReboot(node, slot, signal);
    } else if (annotation(node, NodeAnnotations.unschedulableBeforeDrain) !== undefined) {
      // We cordoned this node but no longer hold the lock (it expired, or a process died between
      // release and clean-up): restore the node anyway, so it is never left cordoned.
      await this.restoreNode(node, annotation(node, NodeAnnotations.unschedulableBeforeDrain) === CORDONED_BEFORE);
    }
    // kured drops a leftover taint at start when no reboot is needed (only worth a check if tainting)
    if (this.o.settings.preferNoScheduleTaint && !(await this.rebootRequired(node, signal)).required) {
      await this.setTaint(false, signal);
    }
  }

  /** After the reboot (or a crash while holding the lock): restore the node, then release. */
  private async finishReboot(node: V1Node, slot: LockSlot, signal: AbortSignal): Promise<void> {
    const bootBefore = annotation(node, NodeAnnotations.bootIdBeforeReboot);
    const rebooted = bootBefore !== undefined && bootBefore !== node.status?.nodeInfo?.bootID;
    if (rebooted) this.publish("rebooted");
    const cordonedBefore =
      slot.wasUnschedulable || annotation(node, NodeAnnotations.unschedulableBeforeDrain) === CORDONED_BEFORE;
    await this.restoreNode(node, cordonedBefore, rebooted);
    this.halt("uncordoned");
    await this.release(signal);
  }

  /**
   * Uncordons unless someone else had cordoned the node, applies the post-reboot labels (also to
   * a node cordoned before, kured#1328), and removes our bookkeeping annotations.
   */
  private async restoreNode(node: V1Node, cordonedBefore: boolean, rebooted = false): Promise<void> {
    const signal = AbortSignal.timeout(MINUTE);
    if (!cordonedBefore) {
      await this.o.drainer.uncordon(this.ctx(signal));
      this.publish("uncordoned");
    }
    await this.o.nodeOps.label(this.o.settings.postRebootLabels);
    const clear: Record<string, null> = {};
    for (const key of [NodeAnnotations.unschedulableBeforeDrain, NodeAnnotations.bootIdBeforeReboot]) {
      if (annotation(node, key) !== undefined) clear[key] = null;
    }
    if (rebooted && annotation(node, NodeAnnotations.rebootRequested) !== undefined) {
      clear[NodeAnnotations.rebootRequested] = null;
    }
    if (this.o.settings.annotateNodes && annotation(node, NodeAnnotations.rebootInProgress) !== undefined) {
      const fresh = await this.o.nodeOps.get();
      if (!(await this.rebootRequired(fresh, signal)).required) clear[NodeAnnotations.rebootInProgress] = null;
    }
    await this.o.nodeOps.annotate(clear);
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
    while (before !== undefined && current.status?.nodeInfo?.bootID === before) {
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

  private async release(signal: AbortSignal): Promise<void> {
    await this.o.lock.release({ holder: this.o.node, signal });
    this.halt("released");
    this.publish("lock-released");
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
      this.o.log.error({ err: e }, "reboot check failed, will retry");
      this.publish("error", errorReason("check-failed", e));
      return "failed";
    }
  }

  private waiting = false;

  private async sleepOrLockChange(delay: number, signal: AbortSignal): Promise<void> {
    if (!this.waiting) return this.o.clock.sleep(delay, signal);
    const stop = new AbortController();
    const both = AbortSignal.any([signal, stop.signal]);
    const freed = (async () => {
      try {
        for await (const state of this.o.lock.changes({ signal: both })) {
          this.o.bus.publish({ kind: "lock-state", state, at: this.o.clock.now() });
          if (mayAcquireNow(state, this.o.node)) return;
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

  /** One pass: window → detectors → annotate → blockers → lock → drain and reboot. */
  private async tick(signal: AbortSignal): Promise<TickOutcome> {
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
    const slot = await this.acquireLock(node, signal);
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

  /** Holds or takes a slot; on contention adds the taint and reports the holders. */
  private async acquireLock(node: V1Node, signal: AbortSignal): Promise<LockSlot | undefined> {
    const held = await this.o.lock.holding({ holder: this.o.node, signal });
    if (held) return held;
    const result = await this.o.lock.acquire({
      holder: this.o.node,
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

  /** Pre labels → drain delay → cordon → drain → reboot delay → window again → reboot. */
  private async drainAndReboot(slot: LockSlot, signal: AbortSignal): Promise<TickOutcome> {
    this.halt("lock-acquired");
    // Renew the slot (a Lease with a TTL) while draining; stop right before the reboot, so the
    // slot expires a TTL after the node went down if it never comes back.
    const renewal = new AbortController();
    const renewing = this.o.lock
      .keepRenewed?.({ holder: this.o.node, signal: AbortSignal.any([signal, renewal.signal]) })
      .catch((err: unknown) => this.o.log.warn({ err }, "renewing the lock failed"));
    try {
      return await this.holdAndReboot(slot, signal, () => renewal.abort());
    } finally {
      renewal.abort();
      await renewing;
    }
  }

  private async holdAndReboot(slot: LockSlot, signal: AbortSignal, stopRenewing: () => void): Promise<TickOutcome> {
    const node = await this.o.nodeOps.get();
    const cordonedBefore = slot.wasUnschedulable || node.spec?.unschedulable === true;
    // Remember the state before the drain on the node itself: the lock may expire meanwhile.
    if (annotation(node, NodeAnnotations.unschedulableBeforeDrain) === undefined) {
      await this.o.nodeOps.annotate({ [NodeAnnotations.unschedulableBeforeDrain]: String(cordonedBefore) });
    }
    try {
      await this.o.nodeOps.label(this.o.settings.preRebootLabels);
      this.halt("pre-labels");
      await this.o.clock.sleep(this.o.settings.drainDelayMs, signal);
      this.publish("draining");
      await this.flushEvents(signal); // kured notifies before it cordons
      await this.o.drainer.cordon(this.ctx(signal));
      this.halt("cordoned");
      const drained = await this.drain(signal);
      if (!drained && !this.o.settings.forceReboot) {
        await this.undo(cordonedBefore, signal);
        return "idle";
      }
      this.halt("drained");
      await this.o.clock.sleep(this.o.settings.rebootDelayMs, signal);
      this.halt("reboot-delay");
      if (!this.o.window.contains(this.o.clock.now())) {
        this.publish("blocked", { code: "window-closed", message: `the reboot window ${this.o.window} closed` });
        await this.undo(cordonedBefore, signal);
        return "idle";
      }
    } catch (e) {
      if (e instanceof Halt) throw e;
      // Stopped (SIGTERM) or failed before the reboot: leave no cordon behind.
      await this.undo(cordonedBefore, AbortSignal.timeout(MINUTE)).catch((err: unknown) =>
        this.o.log.error({ err }, "could not restore the node after an interrupted drain"),
      );
      throw e;
    }
    const bootId = (await this.o.nodeOps.get()).status?.nodeInfo?.bootID;
    if (bootId) await this.o.nodeOps.annotate({ [NodeAnnotations.bootIdBeforeReboot]: bootId });
    this.publish("rebooting");
    await this.flushEvents(signal); // the node may die the moment the rebooter runs
    stopRenewing();
    try {
      await this.o.rebooter.reboot(this.ctx(signal));
    } catch (e) {
      if (signal.aborted) throw e;
      // A broken reboot command must not leave the node cordoned and the lock held, nor repeat the
      // drain at every retry: give the node back and try again next period.
      this.publish("error", errorReason("reboot-failed", e));
      await this.o.nodeOps.annotate({ [NodeAnnotations.bootIdBeforeReboot]: null });
      await this.undo(cordonedBefore, signal);
      return "idle";
    }
    this.halt("reboot-requested");
    return "rebooting";
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

  /** After a failed drain or a closed window: uncordon at once (unless cordoned before), then release. */
  private async undo(cordonedBefore: boolean, signal: AbortSignal): Promise<void> {
    const node = await this.o.nodeOps.get();
    await this.restoreNode(node, cordonedBefore);
    await this.release(signal);
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

function annotation(node: V1Node, key: string): string | undefined {
  return node.metadata?.annotations?.[key];
}
