import type { Reason } from "./reason.js";

/** Every step of the reboot cycle, in the order a node usually goes through them. */
export const PHASES = [
  "reboot-required",
  "blocked",
  "lock-waiting",
  "lock-acquired",
  "draining",
  "drain-failed",
  "rebooting",
  "rebooted",
  "uncordoned",
  "lock-released",
  "error",
] as const;

/** One step of the reboot cycle. */
export type Phase = (typeof PHASES)[number];

/** What happened, to whom, when and why; published on the event bus for every phase. */
export interface RebootEvent {
  readonly phase: Phase;
  readonly node: string;
  readonly at: Date;
  readonly reason?: Reason;
  /** extra facts for templates and subscribers, e.g. `holder`, `cluster`, `blocker` */
  readonly attributes: Readonly<Record<string, string>>;
}
