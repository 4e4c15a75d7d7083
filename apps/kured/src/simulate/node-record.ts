import type { Phase, RebootEvent } from "@kured/core";

/** What one node went through, for the live view, the summary and the timeline. */
export class NodeRecord {
  readonly events: RebootEvent[] = [];
  reboots = 0;

  constructor(readonly name: string) {}

  add(e: RebootEvent): void {
    this.events.push(e);
  }

  /** The latest phase, or `idle`. */
  get phase(): Phase | "idle" {
    return this.events.at(-1)?.phase ?? "idle";
  }

  /** When the latest phase began. */
  get since(): Date | undefined {
    return this.events.at(-1)?.at;
  }

  /** Why it waits, when it does. */
  get why(): string {
    const last = this.events.at(-1);
    if (!last) return "";
    if (last.phase === "lock-waiting") return `lock held by ${last.attributes.holder || "someone"}`;
    return last.reason?.message ?? "";
  }

  /** First time a phase was reached. */
  first(phase: Phase): Date | undefined {
    return this.events.find((e) => e.phase === phase)?.at;
  }

  /** Last time a phase was reached. */
  last(phase: Phase): Date | undefined {
    return this.events.findLast((e) => e.phase === phase)?.at;
  }

  /** Done: rebooted and the lock released after it. */
  get done(): boolean {
    const rebooted = this.last("rebooted");
    const released = this.last("lock-released");
    return rebooted !== undefined && released !== undefined && released >= rebooted;
  }

  /** Intervals during which this node held the lock. */
  holding(): Array<[Date, Date | undefined]> {
    const out: Array<[Date, Date | undefined]> = [];
    let start: Date | undefined;
    for (const e of this.events) {
      if (e.phase === "lock-acquired" && !start) start = e.at;
      if (e.phase === "lock-released" && start) {
        out.push([start, e.at]);
        start = undefined;
      }
    }
    if (start) out.push([start, undefined]);
    return out;
  }
}
