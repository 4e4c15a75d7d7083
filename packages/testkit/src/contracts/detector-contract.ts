import type { Clock, Detector, DetectorResult, Logger } from "@kured/core";
import { expect } from "vitest";
import {
  describeContract,
  notApplicable,
  type ContractCheck,
  type ContractFactory,
  type ContractFixtureBase,
} from "./contract-check.js";
import { abortedSignal, expectKebabCaseId, expectReason, nodeContext, settlesWithin } from "./guards.js";

/** What the detector suite needs: the detector and, optionally, ways to steer its answer. */
export interface DetectorContractFixture extends ContractFixtureBase {
  readonly detector: Detector;
  /** the node in the context; default `node-1` */
  readonly node?: string;
  /** the clock in the context; default the system clock */
  readonly clock?: Clock;
  readonly log?: Logger;
  /** real ms one check may take; default 5000 */
  readonly timeoutMs?: number;
  /** real ms a check with an aborted signal may take; default 1000 */
  readonly abortTimeoutMs?: number;
  /** makes the next checks find a reboot required (e.g. creates the sentinel file) */
  readonly makeRequired?: () => void | Promise<void>;
  /** makes the next checks find no reboot required */
  readonly makeNotRequired?: () => void | Promise<void>;
}

async function check(f: DetectorContractFixture, signal = new AbortController().signal): Promise<DetectorResult> {
  const outcome = await settlesWithin(
    () => f.detector.check(nodeContext(f, signal)),
    f.timeoutMs ?? 5000,
    `${f.detector.id}.check()`,
  );
  if (!outcome.ok)
    throw new Error(`check() rejected in normal operation: ${String(outcome.error)}`, { cause: outcome.error });
  return outcome.value;
}

function expectResult(result: unknown, what: string): asserts result is DetectorResult {
  expect(result, `${what} must be an object`).toBeTypeOf("object");
  const r = (result ?? {}) as { required?: unknown; reason?: unknown };
  expect(typeof r.required, `${what}: required must be a boolean`).toBe("boolean");
  if (r.required === true || r.reason !== undefined)
    expectReason(r.reason, `${what} (required: ${String(r.required)})`);
}

/** The detector contract, one check per promise; `describeDetectorContract` runs them as tests. */
export const detectorChecks: readonly ContractCheck<DetectorContractFixture>[] = [
  {
    name: "has a kebab-case id",
    run: async (f) => expectKebabCaseId(f.detector.id, "detector"),
  },
  {
    name: "answers { required: boolean }, with a valid reason whenever one is given",
    run: async (f) => expectResult(await check(f), "check()"),
  },
  {
    name: "gives a reason when a reboot is required",
    run: async (f) => {
      if (!f.makeRequired) notApplicable("the fixture has no makeRequired()");
      await f.makeRequired();
      const result = await check(f);
      expectResult(result, "check() after makeRequired()");
      expect(result.required, "check() after makeRequired()").toBe(true);
      expectReason(result.reason, "a required reboot");
    },
  },
  {
    name: "answers not required when nothing asks for a reboot",
    run: async (f) => {
      if (!f.makeNotRequired) notApplicable("the fixture has no makeNotRequired()");
      await f.makeNotRequired();
      const result = await check(f);
      expectResult(result, "check() after makeNotRequired()");
      expect(result.required, "check() after makeNotRequired()").toBe(false);
    },
  },
  {
    name: "has no side effects: repeated checks agree",
    run: async (f) => {
      const answers = [await check(f), await check(f), await check(f)].map((r) => r.required);
      expect(answers, "three checks in a row").toEqual([answers[0], answers[0], answers[0]]);
    },
  },
  {
    name: "honours an already aborted signal (rejects or answers promptly, never hangs)",
    run: async (f) => {
      const outcome = await settlesWithin(
        () => f.detector.check(nodeContext(f, abortedSignal())),
        f.abortTimeoutMs ?? 1000,
        "check() with an aborted signal",
      );
      if (outcome.ok) expectResult(outcome.value, "check() with an aborted signal");
    },
  },
];

/** Registers vitest tests that check `factory`'s detector against the Detector contract. */
export function describeDetectorContract(name: string, factory: ContractFactory<DetectorContractFixture>): void {
  describeContract(`Detector contract: ${name}`, detectorChecks, factory);
}
