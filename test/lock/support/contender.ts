/**
 * A node's daemon reduced to its lock traffic: ask for the lock until it is granted (or it gives
 * up), hold it, release it (retrying through API errors) — unless it crashes first, which simply
 * stops it wherever it is, possibly mid-request, possibly holding a slot. A watching contender
 * asks when `changes()` shows a slot it may take, and otherwise once per `waitMs` (to stay
 * queued), as the coordinator does.
 */
import { mayAcquireNow, type Clock, type LockBackend, type LockState } from "@kured/core";

/** What one contender does, in virtual milliseconds. */
export interface ContenderPlan {
  /** pause between two acquire attempts (a period) */
  readonly waitMs: number;
  /** how long it holds the slot */
  readonly holdMs: number;
  /** gives up after this many refused or failed attempts */
  readonly attempts: number;
  /** crashes at this instant after the start, if at all */
  readonly crashAtMs?: number;
  /** follows `changes()` for a freed slot instead of only asking every `waitMs` */
  readonly watches?: boolean;
}

/** What happened to one contender. */
export interface ContenderOutcome {
  readonly node: string;
  acquired: boolean;
  released: boolean;
  crashed: boolean;
  /** virtual instants at which acquire() was called, and at which it said yes */
  asked: Date[];
  acquiredAt?: Date;
  errors: number;
}

/** Waits `ms`, or — with `states` — until a yielded state says `node` may take a slot; false once `signal` aborted. */
async function waitForTurn(
  clock: Clock,
  ms: number,
  signal: AbortSignal,
  node: string,
  states?: AsyncIterator<LockState>,
): Promise<boolean> {
  const timer = new AbortController();
  const both = AbortSignal.any([signal, timer.signal]);
  try {
    const slept = clock.sleep(ms, both).then(
      () => true,
      () => false,
    );
    if (!states) return (await slept) && !signal.aborted;
    const turn = (async () => {
      for (;;) {
        const next = await states.next();
        if (next.done || mayAcquireNow(next.value, node)) return;
      }
    })();
    await Promise.race([slept, turn.catch(() => undefined)]);
    return !signal.aborted;
  } finally {
    timer.abort();
  }
}

/** Runs one contender to its end; never rejects. */
export async function runContender(
  backend: LockBackend,
  node: string,
  plan: ContenderPlan,
  clock: Clock,
  runSignal: AbortSignal,
): Promise<ContenderOutcome> {
  const outcome: ContenderOutcome = { node, acquired: false, released: false, crashed: false, asked: [], errors: 0 };
  const life = new AbortController();
  const signal = AbortSignal.any([runSignal, life.signal]);
  if (plan.crashAtMs !== undefined) {
    clock.sleep(plan.crashAtMs, signal).then(
      () => {
        outcome.crashed = true;
        life.abort(new Error(`${node} crashed`));
      },
      () => undefined,
    );
  }
  const watching = new AbortController();
  const states = plan.watches
    ? backend.changes({ signal: AbortSignal.any([signal, watching.signal]) })[Symbol.asyncIterator]()
    : undefined;
  try {
    for (let attempt = 0; attempt < plan.attempts && !signal.aborted; attempt++) {
      try {
        outcome.asked.push(clock.now());
        const result = await backend.acquire({ holder: node, wasUnschedulable: false, signal });
        if (result.acquired) {
          outcome.acquired = true;
          outcome.acquiredAt = clock.now();
          break;
        }
      } catch {
        if (signal.aborted) return outcome;
        outcome.errors++;
      }
      if (!(await waitForTurn(clock, plan.waitMs, signal, node, states))) return outcome;
    }
    watching.abort();
    if (!outcome.acquired) return outcome;
    if (!(await waitForTurn(clock, plan.holdMs, signal, node))) return outcome;
    while (!signal.aborted) {
      try {
        await backend.release({ holder: node, signal });
        outcome.released = true;
        return outcome;
      } catch {
        if (signal.aborted) return outcome;
        outcome.errors++;
        if (!(await waitForTurn(clock, 1000, signal, node))) return outcome;
      }
    }
    return outcome;
  } finally {
    watching.abort();
    life.abort(); // also cancels the crash timer of a contender that finished first
  }
}
