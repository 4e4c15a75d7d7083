/** A virtual timer waiting for its time. */
export interface VirtualTimer {
  /** scheduling order, unique per clock; breaks ties between timers due at the same instant */
  readonly id: number;
  /** virtual epoch milliseconds at which it fires */
  readonly at: number;
  /** called when the timer fires */
  readonly fire: () => void;
}

/**
 * Timers ordered by (due time, scheduling order). A sorted array: clocks in tests hold at most a
 * few thousand timers, and a sorted array makes the firing order obvious and deterministic.
 */
export class TimerQueue {
  readonly #timers: VirtualTimer[] = [];

  /** Number of pending timers. */
  get size(): number {
    return this.#timers.length;
  }

  /** Inserts a timer after every timer due at or before its time (ids only grow, so ties keep order). */
  add(timer: VirtualTimer): void {
    let lo = 0;
    let hi = this.#timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#timers[mid] as VirtualTimer).at <= timer.at) lo = mid + 1;
      else hi = mid;
    }
    this.#timers.splice(lo, 0, timer);
  }

  /** Removes a timer; false if it already fired or was removed. */
  remove(timer: VirtualTimer): boolean {
    const index = this.#timers.indexOf(timer);
    if (index < 0) return false;
    this.#timers.splice(index, 1);
    return true;
  }

  /** The next timer to fire, if any. */
  peek(): VirtualTimer | undefined {
    return this.#timers[0];
  }

  /** Removes and returns the next timer to fire. */
  shift(): VirtualTimer | undefined {
    return this.#timers.shift();
  }

  /** All pending timers in firing order. */
  list(): readonly VirtualTimer[] {
    return [...this.#timers];
  }
}
