import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Detector, DetectorResult, NodeContext } from "@kured/core";
import { describe, expect, it } from "vitest";
import { runContractCheck } from "./contract-check.js";
import { describeDetectorContract, detectorChecks, type DetectorContractFixture } from "./detector-contract.js";

type Flaw =
  | "bad-id"
  | "no-reason"
  | "bad-reason-code"
  | "empty-message"
  | "non-boolean"
  | "side-effects"
  | "hangs-when-aborted"
  | "rejects";

/** A sentinel-file detector, correct unless given flaws. */
function fileDetector(path: string, flaws: readonly Flaw[] = []): Detector {
  const has = (f: Flaw): boolean => flaws.includes(f);
  let calls = 0;
  return {
    id: has("bad-id") ? "SentinelFile" : "sentinel-file",
    async check(ctx: NodeContext): Promise<DetectorResult> {
      if (ctx.signal.aborted && has("hangs-when-aborted")) return new Promise<never>(() => {});
      ctx.signal.throwIfAborted();
      if (has("rejects")) throw new Error("cannot stat");
      const exists = await stat(path).then(
        () => true,
        () => false,
      );
      const required = has("side-effects") ? calls++ % 2 === 0 : exists;
      if (has("non-boolean")) return { required: (required ? "yes" : "") as unknown as boolean };
      if (!required) return { required: false };
      if (has("no-reason")) return { required: true };
      return {
        required: true,
        reason: {
          code: has("bad-reason-code") ? "RebootRequired" : "sentinel-file-present",
          message: has("empty-message") ? " " : `${path} exists`,
        },
      };
    },
  };
}

async function fixture(flaws: readonly Flaw[] = []): Promise<DetectorContractFixture> {
  const dir = await mkdtemp(join(tmpdir(), "kured-detector-contract-"));
  const sentinel = join(dir, "reboot-required");
  return {
    detector: fileDetector(sentinel, flaws),
    makeRequired: () => writeFile(sentinel, ""),
    makeNotRequired: () => rm(sentinel, { force: true }),
    abortTimeoutMs: 200,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

describeDetectorContract("a sentinel-file detector", () => fixture());

const CHECK = {
  id: "has a kebab-case id",
  shape: "answers { required: boolean }, with a valid reason whenever one is given",
  reason: "gives a reason when a reboot is required",
  notRequired: "answers not required when nothing asks for a reboot",
  pure: "has no side effects: repeated checks agree",
  aborted: "honours an already aborted signal (rejects or answers promptly, never hangs)",
} as const;

describe("detectorChecks", () => {
  it("names every check once", () => {
    expect(detectorChecks.map((c) => c.name).sort()).toEqual(Object.values(CHECK).sort());
  });

  it.each<[Flaw, string[]]>([
    ["bad-id", [CHECK.id]],
    ["no-reason", [CHECK.reason]],
    ["bad-reason-code", [CHECK.reason]],
    ["empty-message", [CHECK.reason]],
    ["non-boolean", [CHECK.shape, CHECK.reason]],
    ["side-effects", [CHECK.pure]],
    ["hangs-when-aborted", [CHECK.aborted]],
    ["rejects", [CHECK.shape, CHECK.reason, CHECK.notRequired, CHECK.pure]],
  ])("catches a detector with the flaw %s", async (flaw, expected) => {
    // Every check builds its own fixture, so they can run side by side.
    const outcomes = await Promise.all(detectorChecks.map((check) => runContractCheck(check, () => fixture([flaw]))));
    const failed = detectorChecks.filter((_, i) => outcomes[i]?.status === "failed").map((c) => c.name);
    expect(failed).toEqual(expect.arrayContaining(expected));
  });

  it("skips the checks that need makeRequired/makeNotRequired when the fixture has none", async () => {
    const outcomes = await Promise.all(
      detectorChecks.map((check) =>
        runContractCheck(check, () => ({ detector: fileDetector("/nonexistent/kured-contract") })),
      ),
    );
    expect(outcomes.filter((o) => o.status === "skipped")).toHaveLength(2);
    expect(outcomes.filter((o) => o.status === "failed")).toEqual([]);
  });
});
