/** Stable codes of the virtual clock's errors: match on these, not on the message. */
export type VirtualClockErrorCode =
  /** `runUntil` reached its `maxMs` of virtual time before the condition held */
  | "KURED_TESTKIT_CLOCK_LIMIT"
  /** `runUntil` found no virtual timer and nothing real scheduled one within `stallMs` */
  | "KURED_TESTKIT_CLOCK_STALLED";

/** Why driving a virtual clock stopped before its condition held. */
export class VirtualClockError extends Error {
  override readonly name = "VirtualClockError";
  readonly code: VirtualClockErrorCode;

  constructor(code: VirtualClockErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
