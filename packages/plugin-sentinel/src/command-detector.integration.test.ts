import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, hostExec, splitCommand, systemClock, type HostExec, type NodeContext } from "@kured/core";
import { describeDetectorContract } from "@kured/testkit/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommandSentinelDetector } from "./command-detector.js";

/** core's real host exec, minus nsenter (tests are not privileged): an option for tests only. */
const withoutNsenter: HostExec = (request) => hostExec({ ...request, useNsenter: false });

const ctx = (): NodeContext => ({
  node: "node-1",
  signal: new AbortController().signal,
  log: createLogger({ format: "json", level: "silent" }),
  clock: systemClock,
});

describe("CommandSentinelDetector running real commands through hostExec", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kured-sentinel-cmd-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("follows the command's exit code, with the command split like kured splits it", async () => {
    const sentinel = join(dir, "reboot required");
    const argv = splitCommand(`test -e '${sentinel}'`);
    const detector = new CommandSentinelDetector({ argv, timeoutMs: 5000, exec: withoutNsenter });
    expect(await detector.check(ctx())).toMatchObject({
      required: false,
      reason: { message: "sentinel command exited 1" },
    });
    await writeFile(sentinel, "");
    expect(await detector.check(ctx())).toMatchObject({
      required: true,
      reason: { message: "sentinel command exited 0" },
    });
  });

  it("kills a hung command at its timeout and answers not required", async () => {
    const detector = new CommandSentinelDetector({ argv: ["sleep", "30"], timeoutMs: 200, exec: withoutNsenter });
    const started = Date.now();
    expect(await detector.check(ctx())).toMatchObject({
      required: false,
      reason: { code: "sentinel-command-timeout", message: "sentinel command timed out after 200ms and was killed" },
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("answers not required when the program does not exist", async () => {
    const detector = new CommandSentinelDetector({ argv: ["/nonexistent/check"], exec: withoutNsenter });
    expect(await detector.check(ctx())).toMatchObject({ required: false, reason: { code: "sentinel-command-error" } });
  });
});

describeDetectorContract("sentinel-command (real processes)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "kured-sentinel-cmd-contract-"));
  const sentinel = join(dir, "reboot-required");
  return {
    detector: new CommandSentinelDetector({ argv: ["test", "-e", sentinel], timeoutMs: 5000, exec: withoutNsenter }),
    makeRequired: () => writeFile(sentinel, ""),
    makeNotRequired: () => rm(sentinel, { force: true }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
