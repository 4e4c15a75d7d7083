/**
 * Fault injection: per resource and verb, answer with a status code at a rate, add latency (on
 * the server's clock), drop the connection, or take the whole server down for a while.
 */
import type { Clock } from "@kured/core";
import { seededRandom } from "./random.js";

/** What a request is, for matching fault rules. */
export interface RequestAttributes {
  verb: string;
  /** plural resource ("" for non-resource paths such as /api) */
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  path: string;
}

/** One fault rule. Unset matchers match everything. */
export interface FaultRule {
  /** plural resource, e.g. "nodes"; may be "pods/eviction" to name a subresource */
  resource?: string;
  /** API verb: get, list, watch, create, update, patch, delete, deletecollection */
  verb?: string | string[];
  namespace?: string;
  name?: string;
  /** answer with this status code (a real Status body) */
  status?: number;
  /** override the Status message */
  message?: string;
  /** destroy the socket instead of answering */
  drop?: boolean;
  /** add this much latency on the server's clock before handling */
  latencyMs?: number;
  /** probability in [0, 1] that the rule fires for a matching request; default 1 */
  rate?: number;
  /** fire at most this many times; unlimited by default */
  times?: number;
}

/** A fault rule once added, with how often it fired. */
export interface ActiveFault {
  readonly rule: FaultRule;
  /** how many requests it has affected */
  readonly fired: number;
  /** removes the rule */
  remove(): void;
}

/** What to do with a request. */
export interface FaultDecision {
  latencyMs: number;
  drop: boolean;
  status?: number;
  message?: string;
}

interface Entry {
  rule: FaultRule;
  fired: number;
}

/** How {@link FaultInjector.seed} draws each request's chances. */
export interface FaultSeedOptions {
  /**
   * Draw a request's chances from the seed, its key and how many requests with that key came
   * before, instead of from one sequence shared by all: requests made at the same moment by
   * different clients then meet the same faults whatever order they reach the server in, so a
   * run replays alike (e.g. a key of verb and path without the run's name prefix).
   */
  readonly key?: (req: RequestAttributes) => string;
}

/** The fault injector of one server. */
export class FaultInjector {
  private entries: Entry[] = [];
  private random: () => number;
  private seedValue: number;
  private keyOf: ((req: RequestAttributes) => string) | undefined;
  private readonly keyCounts = new Map<string, number>();
  private outageUntil = -Infinity;
  private outageStatus: number | undefined;

  constructor(
    private readonly clock: Clock,
    seed = 1,
  ) {
    this.random = seededRandom(seed);
    this.seedValue = seed;
  }

  /** Restarts the random sequence (for repeatable runs). */
  seed(seed: number, options: FaultSeedOptions = {}): void {
    this.random = seededRandom(seed);
    this.seedValue = seed;
    this.keyOf = options.key;
    this.keyCounts.clear();
  }

  /** The chances of one request: the shared sequence, or its key's own (see {@link FaultSeedOptions}). */
  private chances(req: RequestAttributes): () => number {
    if (!this.keyOf) return this.random;
    const key = this.keyOf(req);
    const n = this.keyCounts.get(key) ?? 0;
    this.keyCounts.set(key, n + 1);
    return seededRandom(fnv1a(`${key}#${n}`) ^ this.seedValue);
  }

  /** Adds a rule; returns a handle that counts firings and removes it. */
  add(rule: FaultRule): ActiveFault {
    const entry: Entry = { rule, fired: 0 };
    this.entries.push(entry);
    return {
      rule,
      get fired() {
        return entry.fired;
      },
      remove: () => {
        this.entries = this.entries.filter((e) => e !== entry);
      },
    };
  }

  /**
   * A full outage for `ms` on the clock: every request's connection is dropped (as if the server
   * were down), or answered with `status` when given (e.g. 503 from a load balancer).
   */
  outage(ms: number, status?: number): void {
    this.outageUntil = this.clock.now().getTime() + ms;
    this.outageStatus = status;
  }

  /** True while an outage lasts. */
  inOutage(): boolean {
    return this.clock.now().getTime() < this.outageUntil;
  }

  /** Removes every rule and ends any outage. */
  clear(): void {
    this.entries = [];
    this.outageUntil = -Infinity;
  }

  /** Decides what happens to a request. */
  decide(req: RequestAttributes): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, drop: false };
    if (this.inOutage()) {
      if (this.outageStatus === undefined) decision.drop = true;
      else decision.status = this.outageStatus;
      return decision;
    }
    const random = this.entries.some((e) => e.rule.rate !== undefined && e.rule.rate < 1) ? this.chances(req) : null;
    for (const entry of this.entries) {
      const r = entry.rule;
      if (!matches(r, req)) continue;
      if (r.times !== undefined && entry.fired >= r.times) continue;
      if (r.rate !== undefined && r.rate < 1 && (random as () => number)() >= r.rate) continue;
      entry.fired += 1;
      decision.latencyMs += r.latencyMs ?? 0;
      if (r.drop) decision.drop = true;
      if (r.status !== undefined && decision.status === undefined) {
        decision.status = r.status;
        if (r.message !== undefined) decision.message = r.message;
      }
    }
    return decision;
  }
}

/** 32-bit FNV-1a of a string. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function matches(rule: FaultRule, req: RequestAttributes): boolean {
  if (rule.resource !== undefined) {
    const full = req.subresource ? `${req.resource}/${req.subresource}` : req.resource;
    if (rule.resource !== full && !(rule.resource === req.resource && req.subresource === "")) return false;
  }
  if (rule.verb !== undefined) {
    const verbs = Array.isArray(rule.verb) ? rule.verb : [rule.verb];
    if (!verbs.includes(req.verb)) return false;
  }
  if (rule.namespace !== undefined && rule.namespace !== req.namespace) return false;
  if (rule.name !== undefined && rule.name !== req.name) return false;
  return true;
}
