import type { Clock } from "@kured/core";
import { ioActivity } from "./io-activity.js";
import { TimerQueue, type VirtualTimer } from "./timer-queue.js";
import { VirtualClockError } from "./virtual-clock-error.js";

// Captured at load so that a test's fake timers (vi.useFakeTimers) cannot freeze the clock's own
// yielding to the event loop.
const realSetImmediate = globalThis.setImmediate;
const realSetTimeout = globalThis.setTimeout;

/** The default start, a Monday at midnight UTC, so weekday windows behave predictably (a string: a shared Date could be mutated). */
export const DEFAULT_VIRTUAL_START = "2026-01-05T00:00:00.000Z";

/** How to build a virtual clock. */
export interface VirtualClockOptions {
  /** virtual time at creation; default {@link DEFAULT_VIRTUAL_START} */
  readonly start?: Date | string | number;
  /** start in auto mode (see {@link VirtualClock.startAuto}); default false */
  readonly auto?: boolean;
  /** consecutive quiet event-loop turns after which the process counts as settled; default 8 */
  readonly quietTurns?: number;
  /** real milliseconds one settle waits at most for in-flight I/O before moving on; default 500 */
  readonly ioWaitMs?: number;
}

/** A timer as {@link VirtualClock.pendingTimers} reports it. */
export interface PendingTimer {
  /** scheduling order */
  readonly id: number;
  /** when it fires, in virtual time */
  readonly at: Date;
  /** virtual milliseconds from now until it fires */
  readonly inMs: number;
}

/** Limits for {@link VirtualClock.runUntil}. */
export interface RunUntilOptions {
  /** most virtual milliseconds to advance before failing; default 24 hours */
  readonly maxMs?: number;
  /** real milliseconds to wait, while no virtual timer is pending, for something real to happen; default 2000 */
  readonly stallMs?: number;
}

const HOUR = 3_600_000;

/**
 * How long (real ms) settling spins through event-loop turns while something is busy before it
 * yields with 1 ms timers instead: long enough for loopback requests, short enough not to burn
 * a core while a slow request or a `hold()` lasts.
 */
const BUSY_SPIN_MS = 20;

/**
 * A {@link Clock} whose time moves only when told (`advance`, `advanceTo`, `next`, `runUntil`) or,
 * in auto mode, whenever the process is idle. Timers fire in time order, ties in scheduling order,
 * one at a time, and the clock *settles* between two timers so that the code woken by one can
 * schedule its next step before time moves on: same inputs, same order.
 *
 * The settle rule: yield to the event loop (`setImmediate`, which runs every pending microtask and
 * polls I/O once without blocking) until `quietTurns` consecutive turns pass in which
 *  - no timer of this clock was scheduled, cancelled or fired,
 *  - no `hold()` is open,
 *  - no HTTP client request in this process (fetch/undici, node:http) awaits its response
 *    headers, and no filesystem, DNS or connect request is pending.
 * In-flight I/O is waited for at most `ioWaitMs` of real time per settle, and a request stops
 * counting once a timer is scheduled in a later turn than the one it started in — it may be a
 * server handler sleeping on this very clock, which must not hold time still. Child processes and
 * real timers are not observed: wrap such work in `track()`.
 */
export class VirtualClock implements Clock {
  #now: number;
  #nextId = 1;
  readonly #timers = new TimerQueue();
  /** changes whenever a timer is scheduled, cancelled or fired: the settle loop's progress signal */
  #version = 0;
  #holds = 0;
  /** serialises everything that moves time (advance, runUntil, the auto loop) */
  #driving: Promise<void> = Promise.resolve();
  /** resolved (and replaced) whenever a timer is scheduled */
  #scheduled = deferred();
  #auto: { stopped: boolean; stop: () => void; done: Promise<void> } | undefined;
  readonly #quietTurns: number;
  readonly #ioWaitMs: number;

  constructor(options: VirtualClockOptions = {}) {
    const start = new Date(options.start ?? DEFAULT_VIRTUAL_START);
    if (Number.isNaN(start.getTime())) throw new RangeError(`invalid virtual clock start: ${String(options.start)}`);
    this.#now = start.getTime();
    this.#quietTurns = Math.max(1, options.quietTurns ?? 8);
    this.#ioWaitMs = Math.max(0, options.ioWaitMs ?? 500);
    ioActivity.ensureSubscribed();
    if (options.auto) this.startAuto();
  }

  /** The current virtual time. */
  now(): Date {
    return new Date(this.#now);
  }

  /**
   * Resolves once the clock has moved `ms` past now (0 or less: at the next advance, in timer
   * order); rejects with the signal's reason when it aborts, at once if it already has.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as unknown);
    return new Promise<void>((resolve, reject) => {
      const delay = Number.isNaN(ms) ? 0 : Math.max(0, ms);
      // An endless sleep can only end by its signal; it is not a timer that could ever fire.
      if (delay === Infinity) {
        signal?.addEventListener("abort", () => reject(signal.reason as unknown), { once: true });
        return;
      }
      const timer: VirtualTimer = {
        id: this.#nextId++,
        at: this.#now + delay,
        fire: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        if (this.#timers.remove(timer)) this.#changed(false);
        reject(signal?.reason as unknown);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#timers.add(timer);
      this.#changed(true);
    });
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): Promise<void> {
    if (!(ms >= 0) || ms === Infinity)
      return Promise.reject(new RangeError(`advance: ms must be finite and >= 0, got ${ms}`));
    return this.#drive(async () => {
      await this.#fireUntil(this.#now + ms);
    });
  }

  /** Moves time forward to `date`, firing every timer due by then; `date` must not be in the past. */
  advanceTo(date: Date | string | number): Promise<void> {
    const target = new Date(date).getTime();
    if (Number.isNaN(target)) return Promise.reject(new RangeError(`advanceTo: invalid date ${String(date)}`));
    return this.#drive(async () => {
      if (target < this.#now) {
        throw new RangeError(
          `advanceTo: ${new Date(target).toISOString()} is before now (${this.now().toISOString()})`,
        );
      }
      await this.#fireUntil(target);
    });
  }

  /** Fires the timers due now (including sleeps of 0) without moving time. */
  tick(): Promise<void> {
    return this.advance(0);
  }

  /** Moves time to the next timer and fires it; false if no timer is pending. */
  next(): Promise<boolean> {
    return this.#drive(async () => {
      await this.settle();
      return this.#fireNext();
    });
  }

  /**
   * Keeps firing the next timer until `condition` holds (a predicate, checked whenever the process
   * has settled) or settles (a promise, whose outcome is then returned). Fails with
   * `KURED_TESTKIT_CLOCK_LIMIT` after `maxMs` of virtual time, and with
   * `KURED_TESTKIT_CLOCK_STALLED` when no timer is pending and nothing real schedules one within
   * `stallMs`.
   */
  runUntil(condition: () => boolean | Promise<boolean>, options?: RunUntilOptions): Promise<void>;
  runUntil<T>(condition: Promise<T>, options?: RunUntilOptions): Promise<T>;
  async runUntil<T>(
    condition: (() => boolean | Promise<boolean>) | Promise<T>,
    options: RunUntilOptions = {},
  ): Promise<T | void> {
    let check: () => boolean | Promise<boolean>;
    if (typeof condition === "function") {
      check = condition;
    } else {
      let settled = false;
      const mark = (): void => {
        settled = true;
      };
      condition.then(mark, mark);
      check = () => settled;
    }
    const maxMs = options.maxMs ?? 24 * HOUR;
    const stallMs = options.stallMs ?? 2000;
    await this.#drive(async () => {
      const deadline = this.#now + maxMs;
      for (;;) {
        await this.settle();
        if (await check()) return;
        const next = this.#timers.peek();
        if (next === undefined) {
          if (!(await this.#awaitRealProgress(check, stallMs))) {
            throw new VirtualClockError(
              "KURED_TESTKIT_CLOCK_STALLED",
              `runUntil: condition not met, no virtual timer pending and nothing happened for ${stallMs} ms of real time (at ${this.now().toISOString()})`,
            );
          }
          continue;
        }
        if (next.at > deadline) {
          this.#now = Math.max(this.#now, deadline);
          throw new VirtualClockError(
            "KURED_TESTKIT_CLOCK_LIMIT",
            `runUntil: condition not met within ${maxMs} ms of virtual time (now ${this.now().toISOString()}, ${this.#timers.size} timers pending)`,
          );
        }
        this.#fireNext();
      }
    });
    return typeof condition === "function" ? undefined : condition;
  }

  /** The pending timers in firing order. */
  pendingTimers(): PendingTimer[] {
    return this.#timers.list().map((t) => ({ id: t.id, at: new Date(t.at), inMs: t.at - this.#now }));
  }

  /** Waits until the process has settled by the rule above, without moving time. */
  async settle(): Promise<void> {
    const started = performance.now();
    let version = this.#version;
    let quiet = 0;
    let busySince: number | undefined;
    for (;;) {
      // While something keeps us busy for more than a moment, yield with a short real timer
      // rather than spinning the event loop at full speed.
      const spin = busySince === undefined || performance.now() - busySince <= BUSY_SPIN_MS;
      await (spin ? nextTurn() : realDelay(1));
      ioActivity.markTurn();
      if (this.#version !== version) {
        version = this.#version;
        quiet = 0;
        busySince = undefined;
        continue;
      }
      const ioCounts = performance.now() - started < this.#ioWaitMs;
      const busy = this.#holds > 0 || (ioCounts && (ioActivity.httpBusy() || ioActivity.requestsPending()));
      if (busy) {
        busySince ??= performance.now();
        quiet = 0;
        continue;
      }
      busySince = undefined;
      if (++quiet >= this.#quietTurns) return;
    }
  }

  /** Keeps time from moving until the returned function is called (work the clock cannot observe). */
  hold(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
    };
  }

  /** Keeps time from moving until `work` settles; returns `work` unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    const release = this.hold();
    work.then(release, release);
    return work;
  }

  /** True while auto mode runs. */
  get auto(): boolean {
    return this.#auto !== undefined;
  }

  /**
   * Auto mode: whenever the process has settled and a timer is pending, move to it and fire it.
   * With nothing pending the loop waits for a timer without keeping the process alive.
   */
  startAuto(): void {
    if (this.#auto) return;
    let stop = (): void => {};
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const state = { stopped: false, stop, done: Promise.resolve() };
    state.done = this.#autoLoop(state, stopped);
    this.#auto = state;
  }

  /** Ends auto mode; resolves once its loop has let go of the clock. Pending timers stay. */
  async stop(): Promise<void> {
    const state = this.#auto;
    if (!state) return;
    state.stopped = true;
    state.stop();
    await state.done;
    if (this.#auto === state) this.#auto = undefined;
  }

  async #autoLoop(state: { stopped: boolean }, stopped: Promise<void>): Promise<void> {
    while (!state.stopped) {
      const fired = await this.#drive(async () => {
        await this.settle();
        return state.stopped || this.#fireNext();
      });
      if (!fired) await Promise.race([this.#nextScheduled(), stopped]);
    }
  }

  /** Fires due timers one by one, settling after each, then sets the time to `target`. */
  async #fireUntil(target: number): Promise<void> {
    await this.settle();
    for (let next = this.#timers.peek(); next !== undefined && next.at <= target; next = this.#timers.peek()) {
      this.#fireNext();
      await this.settle();
    }
    this.#now = Math.max(this.#now, target);
  }

  /** Fires the next timer (time moves to it); false if none is pending. */
  #fireNext(): boolean {
    const timer = this.#timers.shift();
    if (timer === undefined) return false;
    this.#now = Math.max(this.#now, timer.at);
    this.#changed(false);
    timer.fire();
    return true;
  }

  /**
   * With no timer pending, waits for real work (I/O, real timers) to schedule one or to satisfy the
   * condition; false after `stallMs` of real time without either.
   */
  async #awaitRealProgress(check: () => boolean | Promise<boolean>, stallMs: number): Promise<boolean> {
    const until = performance.now() + stallMs;
    while (performance.now() < until) {
      const version = this.#version;
      await Promise.race([this.#nextScheduled(), realDelay(5)]);
      if (this.#version !== version || this.#timers.size > 0 || (await check())) return true;
    }
    return false;
  }

  #changed(added: boolean): void {
    this.#version++;
    if (!added) return;
    ioActivity.timerScheduled();
    const scheduled = this.#scheduled;
    this.#scheduled = deferred();
    scheduled.resolve();
  }

  /** Resolves when the next timer is scheduled; holds no handle, so an idle process may exit. */
  #nextScheduled(): Promise<void> {
    return this.#scheduled.promise;
  }

  #drive<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#driving.then(step);
    this.#driving = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}

function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms));
}
