import type { V1Pod } from "@kubernetes/client-node";
import {
  formatGoDuration,
  reason,
  type CordonContext,
  type DrainOptions,
  type DrainProgress,
  type DrainResult,
  type Drainer,
  type KubeApi,
  type NodeContext,
  type Reason,
} from "@kured/core";
import { apiStatus, describeApiError } from "./api-status.js";
import { setUnschedulable } from "./cordon.js";
import { evictPod } from "./evict-pod.js";
import { listNodePods } from "./node-pods.js";
import { deletingTooLong, podDisposition, podKey } from "./pod-rules.js";
import { Semaphore } from "./semaphore.js";

/** kured's drain defaults (`--drain-grace-period=-1`, no timeout) with our 5 s retry delay. */
export const DEFAULT_DRAIN_OPTIONS: DrainOptions = {
  gracePeriodSeconds: -1,
  podSelector: "",
  skipWaitForDeleteTimeoutSeconds: 0,
  timeoutMs: 0,
  evictionRetryDelayMs: 5000,
};

/** Eviction requests in flight at once. */
export const DEFAULT_MAX_CONCURRENT_EVICTIONS = 5;

/** How often the node's pods are listed while waiting for evicted pods to go (kubectl: 1 s). */
export const DEFAULT_POLL_INTERVAL_MS = 1000;

/**
 * The shortest pause between two refused evictions of one pod. kured has no delay but client-go
 * throttles it to about 5 requests a second; without a floor a retry delay of 0 would hammer the
 * API server.
 */
const MIN_RETRY_DELAY_MS = 200;

/** Pods named in a failure reason; the rest are counted. */
const PODS_IN_REASON = 10;

/** How to build an {@link EvictionDrainer}. */
export interface EvictionDrainerOptions {
  /** the API server */
  readonly kube: KubeApi;
  /** the drain flags; a call's `options` override them field by field */
  readonly defaults?: Partial<DrainOptions>;
  /** eviction requests in flight at once; default {@link DEFAULT_MAX_CONCURRENT_EVICTIONS} */
  readonly maxConcurrentEvictions?: number;
  /** how often to look whether evicted pods are gone; default {@link DEFAULT_POLL_INTERVAL_MS} */
  readonly pollIntervalMs?: number;
}

/** What `drain` accepts: the contract's context, with options that may leave fields to the flags. */
export type EvictionDrainContext = NodeContext & {
  readonly options?: Partial<DrainOptions>;
  onProgress?(p: DrainProgress): void;
};

/** One pod being drained. */
interface Tracked {
  readonly pod: V1Pod;
  readonly key: string;
  readonly uid: string;
  /** the eviction was accepted; the pod is terminating */
  evicted: boolean;
  /** the pod is gone, replaced, or no longer waited for */
  gone: boolean;
  /** why its eviction is refused right now */
  blockedBy?: Reason;
}

/** Ends a drain early with a reason. */
class DrainFailure extends Error {
  constructor(readonly reason: Reason) {
    super(reason.message);
  }
}

/** The drain's own time limit was reached. */
class DrainTimeout extends Error {}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * kured's drain, PodDisruptionBudget-aware: cordon; list the node's pods; leave DaemonSet, mirror
 * and finished pods alone; evict the rest through policy/v1 (unmanaged and emptyDir pods too),
 * a few requests at a time, retrying refusals after the retry delay; wait until each evicted pod
 * is gone or replaced; report progress (and the budget that blocks) all along; give up at the
 * drain timeout naming the pods left. Every wait runs on the context's clock; aborting the
 * context's signal stops the drain and rejects with the signal's reason.
 */
export class EvictionDrainer implements Drainer {
  readonly id = "eviction";
  readonly defaults: DrainOptions;
  private readonly kube: KubeApi;
  private readonly gate: Semaphore;
  private readonly pollIntervalMs: number;

  constructor(options: EvictionDrainerOptions) {
    this.kube = options.kube;
    this.defaults = { ...DEFAULT_DRAIN_OPTIONS, ...options.defaults };
    this.gate = new Semaphore(options.maxConcurrentEvictions ?? DEFAULT_MAX_CONCURRENT_EVICTIONS);
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  }

  /** Marks the node unschedulable; tells whether it already was (then nothing is written). */
  async cordon(ctx: CordonContext): Promise<{ wasUnschedulable: boolean }> {
    const result = await setUnschedulable(this.kube, ctx.node, true, ctx.signal, ctx.annotations);
    ctx.log.info({ wasUnschedulable: result.wasUnschedulable }, "node cordoned");
    return result;
  }

  /** Marks the node schedulable again; a no-op when it is. */
  async uncordon(ctx: CordonContext): Promise<void> {
    const result = await setUnschedulable(this.kube, ctx.node, false, ctx.signal, ctx.annotations);
    if (result.wasUnschedulable) ctx.log.info("node uncordoned");
  }

  async drain(ctx: EvictionDrainContext): Promise<DrainResult> {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const options: DrainOptions = { ...this.defaults, ...definedFields(ctx.options) };
    const stop = new AbortController();
    const forwardAbort = (): void => stop.abort(ctx.signal.reason);
    ctx.signal.addEventListener("abort", forwardAbort, { once: true });
    if (options.timeoutMs > 0) {
      ctx.clock.sleep(options.timeoutMs, stop.signal).then(
        () => stop.abort(new DrainTimeout()),
        () => undefined,
      );
    }
    const run = new DrainRun(ctx, options, this.kube, stop.signal, this.gate, this.pollIntervalMs);
    try {
      await run.execute();
      ctx.log.info({ evicted: run.tracked.length }, "node drained");
      return { ok: true };
    } catch (e) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const why: unknown = stop.signal.aborted ? stop.signal.reason : e;
      if (why instanceof DrainTimeout) return run.failure(run.timeoutReason());
      if (why instanceof DrainFailure) return run.failure(why.reason);
      throw e;
    } finally {
      stop.abort(new Error("drain finished"));
      ctx.signal.removeEventListener("abort", forwardAbort);
    }
  }
}

function definedFields(o: Partial<DrainOptions> | undefined): Partial<DrainOptions> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<DrainOptions>;
}

/** One drain: the pods, their state, and the loops that move them along. */
class DrainRun {
  tracked: Tracked[] = [];
  private lastProgress = "";

  constructor(
    private readonly ctx: EvictionDrainContext,
    private readonly options: DrainOptions,
    private readonly kube: KubeApi,
    private readonly signal: AbortSignal,
    private readonly gate: Semaphore,
    private readonly pollIntervalMs: number,
  ) {}

  private get retryDelayMs(): number {
    return Math.max(this.options.evictionRetryDelayMs, MIN_RETRY_DELAY_MS);
  }

  async execute(): Promise<void> {
    const pods = await this.listPods();
    this.select(pods);
    this.report();
    if (this.tracked.length === 0) return;
    // a refusal frees its request slot while it waits, so a blocked pod never holds up others
    await Promise.all([Promise.all(this.tracked.map((t) => this.evictUntilAccepted(t))), this.waitUntilGone()]);
  }

  /** The node's pods matching the pod selector; passing API failures are retried. */
  private async listPods(): Promise<V1Pod[]> {
    for (;;) {
      try {
        return await listNodePods(this.kube, this.ctx.node, this.options.podSelector, this.signal);
      } catch (e) {
        if (this.signal.aborted) throw e;
        const code = apiStatus(e).code;
        if (code === 400 || code === 401 || code === 403) {
          throw new DrainFailure(reason("pod-list-failed", `cannot list the node's pods: ${describeApiError(e)}`));
        }
        this.ctx.log.warn({ err: describeApiError(e) }, "cannot list the node's pods; retrying");
        await this.ctx.clock.sleep(this.retryDelayMs, this.signal);
      }
    }
  }

  /** Applies kured's rules and logs what is left alone, as kubectl drain warns. */
  private select(pods: V1Pod[]): void {
    const now = this.ctx.clock.now();
    const skipped = new Map<string, string[]>();
    const unmanaged: string[] = [];
    const emptyDir: string[] = [];
    for (const pod of pods) {
      const d = podDisposition(pod, now, this.options.skipWaitForDeleteTimeoutSeconds);
      const key = podKey(pod);
      if (d.action === "skip") {
        skipped.set(d.why, [...(skipped.get(d.why) ?? []), key]);
        continue;
      }
      if (d.unmanaged) unmanaged.push(key);
      if (d.emptyDir) emptyDir.push(key);
      this.tracked.push({ pod, key, uid: pod.metadata?.uid ?? "", evicted: false, gone: false });
    }
    const log = this.ctx.log;
    if (skipped.has("daemonset")) log.warn({ pods: skipped.get("daemonset") }, "ignoring DaemonSet-managed pods");
    if (skipped.has("mirror")) log.info({ pods: skipped.get("mirror") }, "ignoring mirror (static) pods");
    if (skipped.has("deleting-too-long"))
      log.warn(
        { pods: skipped.get("deleting-too-long") },
        "not waiting for pods deleting longer than the skip timeout",
      );
    if (unmanaged.length) log.warn({ pods: unmanaged }, "deleting pods that declare no controller");
    if (emptyDir.length) log.warn({ pods: emptyDir }, "deleting pods with emptyDir volumes (their data is lost)");
    log.info({ pods: this.tracked.length, podSelector: this.options.podSelector || undefined }, "evicting pods");
  }

  private async evictUntilAccepted(t: Tracked): Promise<void> {
    while (!t.gone && !t.evicted) {
      const outcome = await this.gate.run(() => {
        if (this.signal.aborted) throw this.signal.reason;
        return evictPod(this.kube, t.pod, this.options.gracePeriodSeconds, this.signal);
      });
      switch (outcome.kind) {
        case "accepted":
          t.evicted = true;
          delete t.blockedBy;
          this.ctx.log.info({ pod: t.key }, "pod evicted");
          break;
        case "gone":
          t.gone = true;
          delete t.blockedBy;
          break;
        case "blocked":
          if (t.blockedBy?.message !== outcome.reason.message)
            this.ctx.log.info({ pod: t.key, reason: outcome.reason.message }, "eviction refused; will retry");
          t.blockedBy = outcome.reason;
          break;
        case "retry":
          this.ctx.log.warn({ pod: t.key, err: outcome.error }, "eviction failed; will retry");
          break;
        case "fatal":
          throw new DrainFailure(outcome.reason);
      }
      this.report();
      if (outcome.kind === "blocked" || outcome.kind === "retry") {
        await this.ctx.clock.sleep(this.retryDelayMs, this.signal);
      }
    }
  }

  /** Lists the node's pods every poll interval until every tracked pod is gone or replaced. */
  private async waitUntilGone(): Promise<void> {
    while (this.tracked.some((t) => !t.gone)) {
      await this.ctx.clock.sleep(this.pollIntervalMs, this.signal);
      let pods: V1Pod[];
      try {
        pods = await listNodePods(this.kube, this.ctx.node, "", this.signal);
      } catch (e) {
        if (this.signal.aborted) throw e;
        this.ctx.log.debug({ err: describeApiError(e) }, "cannot list the node's pods while waiting; retrying");
        continue;
      }
      const byUid = new Map(pods.map((p) => [p.metadata?.uid ?? "", p]));
      const now = this.ctx.clock.now();
      for (const t of this.tracked) {
        if (t.gone) continue;
        const current = byUid.get(t.uid);
        if (current === undefined) {
          t.gone = true;
        } else if (t.evicted && deletingTooLong(current, now, this.options.skipWaitForDeleteTimeoutSeconds)) {
          this.ctx.log.warn({ pod: t.key }, "pod still deleting after the skip timeout; not waiting for it");
          t.gone = true;
        }
      }
      this.report();
    }
  }

  /** Calls onProgress when something changed since the last call. */
  private report(): void {
    const blocked = this.tracked.find((t) => !t.gone && !t.evicted && t.blockedBy)?.blockedBy;
    const progress: DrainProgress = {
      evicted: this.tracked.filter((t) => t.evicted || t.gone).length,
      remaining: this.tracked.filter((t) => !t.gone).length,
      ...(blocked ? { blockedBy: blocked } : {}),
    };
    const text = JSON.stringify(progress);
    if (text === this.lastProgress) return;
    this.lastProgress = text;
    try {
      this.ctx.onProgress?.(progress);
    } catch (e) {
      this.ctx.log.warn({ err: e instanceof Error ? e.message : String(e) }, "drain progress callback failed");
    }
  }

  remainingPods(): string[] {
    return this.tracked.filter((t) => !t.gone).map((t) => t.key);
  }

  failure(why: Reason): DrainResult {
    return { ok: false, reason: why, remainingPods: this.remainingPods() };
  }

  /** Names the pods left and what holds each up. */
  timeoutReason(): Reason {
    const left = this.tracked.filter((t) => !t.gone);
    const listed = left.slice(0, PODS_IN_REASON).map((t) => {
      if (t.blockedBy) return `${t.key} (${t.blockedBy.message})`;
      return t.evicted ? `${t.key} (still terminating)` : `${t.key} (not evicted yet)`;
    });
    const more = left.length > PODS_IN_REASON ? `; and ${left.length - PODS_IN_REASON} more` : "";
    return reason(
      "drain-timeout",
      `drain did not finish within ${formatGoDuration(this.options.timeoutMs)}: ${plural(left.length, "pod")} left: ${listed.join("; ")}${more}`,
    );
  }
}
