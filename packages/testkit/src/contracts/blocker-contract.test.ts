import type { Blocker, BlockerResult, NodeContext } from "@kured/core";
import { describe, expect, it } from "vitest";
import { describeBlockerContract, blockerChecks, type BlockerContractFixture } from "./blocker-contract.js";
import { runContractCheck } from "./contract-check.js";

type Flaw =
  | "bad-id"
  | "bad-scope"
  | "no-reason"
  | "bad-reason-code"
  | "non-boolean"
  | "never-blocks"
  | "always-blocks"
  | "node-dependent"
  | "hangs-when-aborted"
  | "rejects";

/** A blocker driven by a switch (as an alert would be), correct unless given flaws. */
function switchBlocker(flaws: readonly Flaw[] = [], scope: "node" | "cluster" = "cluster") {
  const has = (f: Flaw): boolean => flaws.includes(f);
  let on = false;
  const blocker: Blocker = {
    id: has("bad-id") ? "Maintenance Window" : "maintenance-switch",
    scope: (has("bad-scope") ? "global" : scope) as Blocker["scope"],
    async check(ctx: NodeContext): Promise<BlockerResult> {
      if (ctx.signal.aborted && has("hangs-when-aborted")) return new Promise<never>(() => {});
      ctx.signal.throwIfAborted();
      if (has("rejects")) throw new Error("cannot reach the switch");
      const blocked =
        !has("never-blocks") && (on || has("always-blocks")) && (!has("node-dependent") || ctx.node === "node-1");
      if (has("non-boolean")) return { blocked: (blocked ? 1 : 0) as unknown as false };
      if (!blocked) return { blocked: false };
      if (has("no-reason")) return { blocked: true } as BlockerResult;
      return {
        blocked: true,
        reason: { code: has("bad-reason-code") ? "Switch_On" : "maintenance-switch-on", message: "the switch is on" },
      };
    },
  };
  return { blocker, set: (value: boolean) => (on = value) };
}

function fixture(flaws: readonly Flaw[] = [], scope: "node" | "cluster" = "cluster"): BlockerContractFixture {
  const { blocker, set } = switchBlocker(flaws, scope);
  return { blocker, block: () => void set(true), unblock: () => void set(false), abortTimeoutMs: 200 };
}

describeBlockerContract("a cluster-scoped switch blocker", () => fixture());
describeBlockerContract("a node-scoped switch blocker", () => fixture([], "node"));

const CHECK = {
  id: "has a kebab-case id",
  scope: 'declares its scope as "node" or "cluster"',
  shape: "answers { blocked: false } or { blocked: true, reason }",
  reason: "carries a reason on every block",
  unblocked: "lets the reboot through when nothing blocks",
  cluster: "gives every node the same answer when cluster-scoped",
  aborted: "honours an already aborted signal (rejects or answers promptly, never hangs)",
} as const;

describe("blockerChecks", () => {
  it("names every check once", () => {
    expect(blockerChecks.map((c) => c.name).sort()).toEqual(Object.values(CHECK).sort());
  });

  it.each<[Flaw, string[]]>([
    ["bad-id", [CHECK.id]],
    ["bad-scope", [CHECK.scope]],
    ["no-reason", [CHECK.reason, CHECK.cluster]],
    ["bad-reason-code", [CHECK.reason, CHECK.cluster]],
    ["non-boolean", [CHECK.shape, CHECK.reason, CHECK.unblocked, CHECK.cluster]],
    ["never-blocks", [CHECK.reason]],
    ["always-blocks", [CHECK.unblocked]],
    ["node-dependent", [CHECK.cluster]],
    ["hangs-when-aborted", [CHECK.aborted]],
    ["rejects", [CHECK.shape, CHECK.reason, CHECK.unblocked, CHECK.cluster]],
  ])("catches a blocker with the flaw %s", async (flaw, expected) => {
    // Every check builds its own fixture, so they can run side by side.
    const outcomes = await Promise.all(blockerChecks.map((check) => runContractCheck(check, () => fixture([flaw]))));
    const failed = blockerChecks.filter((_, i) => outcomes[i]?.status === "failed").map((c) => c.name);
    expect(failed).toEqual(expect.arrayContaining(expected));
  });
});
