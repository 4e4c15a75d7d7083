/**
 * Why something said "no": a stable machine code and a sentence for people.
 *
 * Implementations must keep `code` stable across releases (it becomes a metric label, an Event
 * reason suffix and a notification placeholder) and kebab-case; `message` may change freely.
 */
export interface Reason {
  /** kebab-case, stable, e.g. `prometheus-alerts-firing` */
  readonly code: string;
  /** one sentence for people, e.g. `2 active alerts: [HighLoad NodeDown]` */
  readonly message: string;
}

const REASON_CODE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** True when `code` is a valid kebab-case reason code. */
export function isReasonCode(code: string): boolean {
  return REASON_CODE.test(code);
}

/** Builds a `Reason`, rejecting codes that are not kebab-case. */
export function reason(code: string, message: string): Reason {
  if (!isReasonCode(code)) throw new TypeError(`reason code must be kebab-case, got ${JSON.stringify(code)}`);
  return { code, message };
}
