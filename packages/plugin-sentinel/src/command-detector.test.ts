import { Writable } from "node:stream";
import {
  createLogger,
  HostExecError,
  systemClock,
  type HostExec,
  type HostExecResult,
  type NodeContext,
} from "@kured/core";
import { describeDetectorContract } from "@kured/testkit/contracts";
import { describe, expect, it } from "vitest";
import { CommandSentinelDetector } from "./command-detector.js";

function context(signal = new AbortController().signal): { ctx: NodeContext; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return {
    ctx: { node: "node-1", signal, log: createLogger({ format: "json", destination }), clock: systemClock },
    lines,
  };
}

const ended = (partial: Partial<HostExecResult>): HostExecResult => ({
  exitCode: 0,
  signal: null,
  stdout: "",
  stderr: "",
  timedOut: false,
  ...partial,
});

/** A fake host exec answering `outcome`, recording what it was asked. */
function fakeExec(outcome: HostExecResult | Error): HostExec & { calls: Parameters<HostExec>[0][] } {
  const calls: Parameters<HostExec>[0][] = [];
  const exec = async (request: Parameters<HostExec>[0]): Promise<HostExecResult> => {
    calls.push(request);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  return Object.assign(exec, { calls });
}

describe("CommandSentinelDetector", () => {
  const argv = ["/usr/bin/needs-restarting", "-r"];

  // [what, host exec outcome, required, reason code, reason message, warned]
  const outcomes: [string, HostExecResult | Error, boolean, string, string, boolean][] = [
    ["exit 0", ended({ exitCode: 0 }), true, "sentinel-command-succeeded", "sentinel command exited 0", false],
    ["exit 1", ended({ exitCode: 1 }), false, "sentinel-command-failed", "sentinel command exited 1", false],
    [
      "exit 2",
      ended({ exitCode: 2, stderr: "usage" }),
      false,
      "sentinel-command-failed",
      "sentinel command exited 2",
      true,
    ],
    [
      "nsenter's exit 127 (program not found on the host)",
      ended({ exitCode: 127, stderr: "nsenter: failed to execute x: No such file or directory" }),
      false,
      "sentinel-command-failed",
      "sentinel command exited 127",
      true,
    ],
    [
      "not found (spawn ENOENT)",
      new HostExecError("cannot run /usr/bin/nsenter: spawn /usr/bin/nsenter ENOENT", "ENOENT", argv),
      false,
      "sentinel-command-error",
      "sentinel command could not run: cannot run /usr/bin/nsenter: spawn /usr/bin/nsenter ENOENT",
      true,
    ],
    [
      "timeout",
      ended({ exitCode: null, signal: "SIGTERM", timedOut: true }),
      false,
      "sentinel-command-timeout",
      "sentinel command timed out after 30s and was killed",
      true,
    ],
    [
      "killed by a signal",
      ended({ exitCode: null, signal: "SIGKILL" }),
      false,
      "sentinel-command-killed",
      "sentinel command was killed by SIGKILL",
      true,
    ],
  ];

  it.each(outcomes)("%s", async (_what, outcome, required, code, message, warned) => {
    const exec = fakeExec(outcome);
    const { ctx, lines } = context();
    const result = await new CommandSentinelDetector({ argv, timeoutMs: 30_000, exec }).check(ctx);
    expect(result).toEqual({ required, reason: { code, message } });
    expect(lines.some((l) => l.level === "warn")).toBe(warned);
  });

  it("runs the split words through the host exec with its timeout and the context's signal", async () => {
    const exec = fakeExec(ended({ exitCode: 1 }));
    const { ctx } = context();
    await new CommandSentinelDetector({ argv, timeoutMs: 1234, exec }).check(ctx);
    expect(exec.calls).toEqual([{ argv, timeoutMs: 1234, signal: ctx.signal }]);
  });

  it("rejects with the signal's reason when aborted while the command runs", async () => {
    const controller = new AbortController();
    const why = new Error("stopping");
    const exec: HostExec = (request) =>
      new Promise((_resolve, reject) =>
        request.signal?.addEventListener("abort", () => reject(request.signal?.reason as unknown), { once: true }),
      );
    const { ctx } = context(controller.signal);
    const pending = new CommandSentinelDetector({ argv, exec }).check(ctx);
    controller.abort(why);
    await expect(pending).rejects.toBe(why);
  });

  it("refuses an empty command", () => {
    expect(() => new CommandSentinelDetector({ argv: [] })).toThrow("no words");
  });
});

describeDetectorContract("sentinel-command (fake host exec)", () => {
  let exitCode = 1;
  const exec: HostExec = async (request) => {
    if (request.signal?.aborted) throw request.signal.reason;
    return ended({ exitCode });
  };
  return {
    detector: new CommandSentinelDetector({ argv: ["check-reboot"], exec }),
    makeRequired: () => {
      exitCode = 0;
    },
    makeNotRequired: () => {
      exitCode = 1;
    },
  };
});
