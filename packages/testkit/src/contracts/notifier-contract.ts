import { PHASES, type Notifier, type RebootEvent } from "@kured/core";
import { expect } from "vitest";
import {
  describeContract,
  notApplicable,
  type ContractCheck,
  type ContractFactory,
  type ContractFixtureBase,
} from "./contract-check.js";
import { abortedSignal, expectKebabCaseId, settlesWithin, withTimeout, type Settled } from "./guards.js";

/** What the notifier suite needs: a notifier aimed at a working endpoint, and optionally at bad ones. */
export interface NotifierContractFixture extends ContractFixtureBase {
  /** a notifier whose endpoint works (e.g. a notification sink) */
  readonly notifier: Notifier;
  /** the event to send; default a `rebooting` event for `node-1` */
  readonly event?: RebootEvent;
  /** resolves once `event` arrived at the far end (e.g. `sink.waitFor(1)`), for the delivery check */
  readonly delivered?: (event: RebootEvent) => Promise<unknown>;
  /** the same notifier aimed at an endpoint that says no (e.g. a sink answering 500) */
  readonly failing?: Notifier;
  /** the same notifier aimed at an endpoint that never answers (e.g. a sink with a long delay) */
  readonly hanging?: Notifier;
  /** strings no error may contain: tokens, passwords, the secret parts of the URL */
  readonly secrets?: readonly string[];
  /** real ms within which every notify() must settle (the notifier's own timeout); default 5000 */
  readonly timeoutMs?: number;
  /** real ms a notify() with an aborted signal may take; default 1000 */
  readonly abortTimeoutMs?: number;
}

/** A representative event for notifier checks. */
export function sampleRebootEvent(overrides: Partial<RebootEvent> = {}): RebootEvent {
  return {
    phase: "rebooting",
    node: "node-1",
    at: new Date("2026-01-05T03:00:00Z"),
    reason: { code: "sentinel-file-present", message: "/var/run/reboot-required exists" },
    attributes: { holder: "node-1", cluster: "test" },
    ...overrides,
  };
}

function notify(
  notifier: Notifier,
  event: RebootEvent,
  signal: AbortSignal,
  ms: number,
  what: string,
): Promise<Settled<void>> {
  return settlesWithin(() => notifier.notify(event, signal), ms, `${notifier.id}.notify() ${what}`);
}

/** Every string in an error that a log line or an Event could show: message, stack, causes, string fields. */
function errorTexts(error: unknown, depth = 0): string[] {
  if (depth > 4 || error === null || error === undefined) return [];
  if (typeof error !== "object") return [String(error)];
  const texts = [String(error)];
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === "string") texts.push(value);
    else if (key !== "cause" && value && typeof value === "object") texts.push(JSON.stringify(value) ?? "");
  }
  if (error instanceof Error) {
    texts.push(error.message, error.stack ?? "");
    texts.push(...errorTexts(error.cause, depth + 1));
  }
  return texts;
}

function expectNoSecrets(f: NotifierContractFixture, error: unknown, what: string): void {
  const texts = errorTexts(error).join("\n");
  for (const secret of f.secrets ?? []) {
    expect(texts.includes(secret), `${what}: the error reveals the secret ${JSON.stringify(secret)}`).toBe(false);
  }
}

/** The notifier contract, one check per promise; `describeNotifierContract` runs them as tests. */
export const notifierChecks: readonly ContractCheck<NotifierContractFixture>[] = [
  {
    name: "has a kebab-case id",
    run: async (f) => expectKebabCaseId(f.notifier.id, "notifier"),
  },
  {
    name: "delivers an event in bounded time",
    run: async (f) => {
      const event = f.event ?? sampleRebootEvent();
      const ms = f.timeoutMs ?? 5000;
      const outcome = await notify(f.notifier, event, new AbortController().signal, ms, "to a working endpoint");
      if (!outcome.ok) throw new Error(`notify() rejected against a working endpoint: ${String(outcome.error)}`);
      if (f.delivered) await withTimeout(f.delivered(event), ms, "the delivery of the event");
    },
  },
  {
    name: "answers accepts() with a boolean and notifies every accepted phase",
    run: async (f) => {
      const base = f.event ?? sampleRebootEvent();
      for (const phase of PHASES) {
        const event = { ...base, phase };
        if (f.notifier.accepts) {
          const accepted = f.notifier.accepts(event);
          expect(typeof accepted, `accepts() for phase ${phase}`).toBe("boolean");
          if (!accepted) continue;
        }
        const outcome = await notify(f.notifier, event, new AbortController().signal, f.timeoutMs ?? 5000, phase);
        if (!outcome.ok) throw new Error(`notify() rejected the ${phase} event: ${String(outcome.error)}`);
      }
    },
  },
  {
    name: "honours an already aborted signal (rejects or returns promptly, never hangs)",
    run: async (f) => {
      await notify(
        f.notifier,
        f.event ?? sampleRebootEvent(),
        abortedSignal(),
        f.abortTimeoutMs ?? 1000,
        "with an aborted signal",
      );
    },
  },
  {
    name: "fails without revealing secrets when the endpoint says no",
    run: async (f) => {
      if (!f.failing) notApplicable("the fixture has no failing notifier");
      const outcome = await notify(
        f.failing,
        f.event ?? sampleRebootEvent(),
        new AbortController().signal,
        f.timeoutMs ?? 5000,
        "to a failing endpoint",
      );
      if (!outcome.ok) {
        expect(outcome.error, "the rejection").toBeInstanceOf(Error);
        expectNoSecrets(f, outcome.error, "notify() to a failing endpoint");
      }
    },
  },
  {
    name: "gives up on an endpoint that never answers within its own timeout",
    run: async (f) => {
      if (!f.hanging) notApplicable("the fixture has no hanging notifier");
      const outcome = await notify(
        f.hanging,
        f.event ?? sampleRebootEvent(),
        new AbortController().signal,
        f.timeoutMs ?? 5000,
        "to an endpoint that never answers",
      );
      if (!outcome.ok) expectNoSecrets(f, outcome.error, "notify() to an endpoint that never answers");
    },
  },
  {
    name: "stops promptly when its signal aborts mid-flight",
    run: async (f) => {
      if (!f.hanging) notApplicable("the fixture has no hanging notifier");
      const controller = new AbortController();
      const ms = f.abortTimeoutMs ?? 1000;
      const pending = notify(f.hanging, f.event ?? sampleRebootEvent(), controller.signal, ms, "aborted mid-flight");
      setTimeout(() => controller.abort(new Error("aborted by the contract suite")), 10);
      const outcome = await pending;
      if (!outcome.ok) expectNoSecrets(f, outcome.error, "notify() aborted mid-flight");
    },
  },
];

/** Registers vitest tests that check `factory`'s notifier against the Notifier contract. */
export function describeNotifierContract(name: string, factory: ContractFactory<NotifierContractFixture>): void {
  describeContract(`Notifier contract: ${name}`, notifierChecks, factory);
}
