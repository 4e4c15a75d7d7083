/** A count of items to wait for, or a test one item must pass. */
export type WaitCondition<T> = number | ((item: T) => boolean);

interface Waiter<T> {
  readonly condition: WaitCondition<T>;
  readonly resolve: (value: T | readonly T[]) => void;
}

/**
 * An append-only list of things that happened, with waiting: what a sink or collector records
 * and what a test awaits.
 */
export class Recording<T> {
  readonly #items: T[] = [];
  #waiters: Waiter<T>[] = [];

  /** Everything recorded so far, oldest first. */
  get items(): readonly T[] {
    return [...this.#items];
  }

  /** Records one item and wakes whoever waits for it. */
  push(item: T): void {
    this.#items.push(item);
    this.#waiters = this.#waiters.filter((w) => !this.#satisfy(w));
  }

  /** Forgets every recorded item (pending waits keep waiting for new ones). */
  clear(): void {
    this.#items.length = 0;
  }

  /**
   * Resolves with the first `count` items once that many were recorded, or with the first item
   * that passes `predicate`; rejects after `timeoutMs` of real time, saying what was recorded.
   */
  waitFor(condition: number, timeoutMs: number, what: string): Promise<readonly T[]>;
  waitFor(condition: (item: T) => boolean, timeoutMs: number, what: string): Promise<T>;
  waitFor(condition: WaitCondition<T>, timeoutMs: number, what: string): Promise<T | readonly T[]>;
  waitFor(condition: WaitCondition<T>, timeoutMs: number, what: string): Promise<T | readonly T[]> {
    return new Promise((resolve, reject) => {
      if (this.#satisfy({ condition, resolve })) return;
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        const wanted = typeof condition === "number" ? `${condition} ${what}` : `a matching ${what}`;
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${wanted}; ${this.#items.length} recorded`));
      }, timeoutMs);
      const waiter: Waiter<T> = {
        condition,
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  #satisfy(waiter: Waiter<T>): boolean {
    if (typeof waiter.condition === "number") {
      if (this.#items.length < waiter.condition) return false;
      waiter.resolve(this.#items.slice(0, waiter.condition));
      return true;
    }
    const found = this.#items.find(waiter.condition);
    if (found === undefined) return false;
    waiter.resolve(found);
    return true;
  }
}
