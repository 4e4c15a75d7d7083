import type { Blocker, BlockerResult, Clock, Logger } from "@kured/core";
import { expect } from "vitest";
import {
  describeContract,
  notApplicable,
  type ContractCheck,
  type ContractFactory,
  type ContractFixtureBase,
} from "./contract-check.js";
import { abortedSignal, expectKebabCaseId, expectReason, nodeContext, settlesWithin } from "./guards.js";

/** What the blocker suite needs: the blocker and, optionally, ways to make it block or not. */
export interface BlockerContractFixture extends ContractFixtureBase {
  readonly blocker: Blocker;
  /** the node in the context; default `node-1` */
  readonly node?: string;
  /** the clock in the context; default the system clock */
  readonly clock?: Clock;
  readonly log?: Logger;
  /** real ms one check may take; default 5000 */
  readonly timeoutMs?: number;
  /** real ms a check with an aborted signal may take; default 1000 */
  readonly abortTimeoutMs?: number;
  /** makes the next checks block (e.g. a sink answering with a firing alert) */
  readonly block?: () => void | Promise<void>;
  /** makes the next checks not block */
  readonly unblock?: () => void | Promise<void>;
}

async function check(f: BlockerContractFixture, node?: string): Promise<BlockerResult> {
  const outcome = await settlesWithin(
    () => f.blocker.check(nodeContext(f, new AbortController().signal, node)),
    f.timeoutMs ?? 5000,
    `${f.blocker.id}.check()`,
  );
  if (!outcome.ok)
    throw new Error(`check() rejected in normal operation: ${String(outcome.error)}`, { cause: outcome.error });
  return outcome.value;
}

function expectResult(result: unknown, what: string): asserts result is BlockerResult {
  expect(result, `${what} must be an object`).toBeTypeOf("object");
  const r = (result ?? {}) as { blocked?: unknown; reason?: unknown };
  expect(typeof r.blocked, `${what}: blocked must be a boolean`).toBe("boolean");
  if (r.blocked === true) expectReason(r.reason, `${what} (blocked)`);
}

/** The blocker contract, one check per promise; `describeBlockerContract` runs them as tests. */
export const blockerChecks: readonly ContractCheck<BlockerContractFixture>[] = [
  {
    name: "has a kebab-case id",
    run: async (f) => expectKebabCaseId(f.blocker.id, "blocker"),
  },
  {
    name: 'declares its scope as "node" or "cluster"',
    run: async (f) =>
      expect(["node", "cluster"], `scope ${JSON.stringify(f.blocker.scope)}`).toContain(f.blocker.scope),
  },
  {
    name: "answers { blocked: false } or { blocked: true, reason }",
    run: async (f) => expectResult(await check(f), "check()"),
  },
  {
    name: "carries a reason on every block",
    run: async (f) => {
      if (!f.block) notApplicable("the fixture has no block()");
      await f.block();
      const result = await check(f);
      expectResult(result, "check() after block()");
      expect(result.blocked, "check() after block()").toBe(true);
    },
  },
  {
    name: "lets the reboot through when nothing blocks",
    run: async (f) => {
      if (!f.unblock) notApplicable("the fixture has no unblock()");
      await f.unblock();
      const result = await check(f);
      expectResult(result, "check() after unblock()");
      expect(result.blocked, "check() after unblock()").toBe(false);
    },
  },
  {
    name: "gives every node the same answer when cluster-scoped",
    run: async (f) => {
      if (f.blocker.scope !== "cluster") notApplicable("the blocker is node-scoped");
      if (f.block) await f.block();
      const answers = await Promise.all(["node-1", "node-2", "node-3"].map((node) => check(f, node)));
      answers.forEach((a, i) => expectResult(a, `check() for node-${i + 1}`));
      const summary = answers.map((a) => (a.blocked ? `blocked:${a.reason.code}` : "not blocked"));
      expect(summary, "answers for node-1, node-2, node-3").toEqual([summary[0], summary[0], summary[0]]);
    },
  },
  {
    name: "honours an already aborted signal (rejects or answers promptly, never hangs)",
    run: async (f) => {
      const outcome = await settlesWithin(
        () => f.blocker.check(nodeContext(f, abortedSignal())),
        f.abortTimeoutMs ?? 1000,
        "check() with an aborted signal",
      );
      if (outcome.ok) expectResult(outcome.value, "check() with an aborted signal");
    },
  },
];

/** Registers vitest tests that check `factory`'s blocker against the Blocker contract. */
export function describeBlockerContract(name: string, factory: ContractFactory<BlockerContractFixture>): void {
  describeContract(`Blocker contract: ${name}`, blockerChecks, factory);
}
