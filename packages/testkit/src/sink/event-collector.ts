import type { Notifier, Phase, RebootEvent } from "@kured/core";
import { Recording } from "./recording.js";

/** How to build an event collector. */
export interface EventCollectorOptions {
  /** the notifier id; default `event-collector` */
  readonly id?: string;
  /** only these events are collected (the notifier's `accepts`) */
  readonly accepts?: (event: RebootEvent) => boolean;
}

/**
 * A notifier that keeps every event in memory: subscribe it to the event bus and assert on the
 * story a node went through (`phases("node-1")`) or wait for a step.
 */
export class EventCollector implements Notifier {
  readonly id: string;
  readonly #recording = new Recording<RebootEvent>();
  readonly #accepts: ((event: RebootEvent) => boolean) | undefined;

  constructor(options: EventCollectorOptions = {}) {
    this.id = options.id ?? "event-collector";
    this.#accepts = options.accepts;
  }

  /** The filter given at construction; every event when none was. */
  accepts(event: RebootEvent): boolean {
    return this.#accepts?.(event) ?? true;
  }

  /** Records the event (unless the signal has already aborted). */
  async notify(event: RebootEvent, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    this.#recording.push(event);
  }

  /** Every event collected so far, oldest first. */
  get events(): readonly RebootEvent[] {
    return this.#recording.items;
  }

  /** The phases collected, oldest first, optionally for one node only. */
  phases(node?: string): Phase[] {
    return this.#recording.items.filter((e) => node === undefined || e.node === node).map((e) => e.phase);
  }

  /** The first `count` events once collected; rejects after `timeoutMs` real ms (default 5000). */
  waitFor(count: number, timeoutMs?: number): Promise<readonly RebootEvent[]>;
  /** The first event that passes `predicate`; rejects after `timeoutMs` real ms (default 5000). */
  waitFor(predicate: (event: RebootEvent) => boolean, timeoutMs?: number): Promise<RebootEvent>;
  waitFor(
    condition: number | ((event: RebootEvent) => boolean),
    timeoutMs = 5000,
  ): Promise<RebootEvent | readonly RebootEvent[]> {
    return this.#recording.waitFor(condition, timeoutMs, "reboot events");
  }

  /** Forgets every collected event. */
  clear(): void {
    this.#recording.clear();
  }
}
