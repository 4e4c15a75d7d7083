import { describe, expect, it } from "vitest";
import { systemClock } from "../clock/system-clock.js";
import { createLogger } from "../log/logger.js";
import type { HostExecRequest, HostExecResult } from "../host/index.js";
import { commandRebooter } from "./command-rebooter.js";
import { signalRebooter } from "./signal-rebooter.js";

const ctx = {
  node: "n",
  signal: new AbortController().signal,
  log: createLogger({ format: "json", level: "silent" }),
  clock: systemClock,
};
const result = (r: Partial<HostExecResult>): HostExecResult => ({
  exitCode: 0,
  signal: null,
  stdout: "",
  stderr: "",
  timedOut: false,
  ...r,
});

describe("the command rebooter", () => {
  it("runs the command's words through host exec, without a shell", async () => {
    const seen: HostExecRequest[] = [];
    const r = commandRebooter({
      argv: ["/bin/systemctl", "reboot"],
      exec: async (req) => (seen.push(req), result({})),
    });
    await r.reboot(ctx);
    expect(seen.map((s) => s.argv)).toEqual([["/bin/systemctl", "reboot"]]);
    expect(seen[0]?.useNsenter).toBeUndefined(); // nsenter is the default
  });

  it.each([
    [result({ exitCode: 1, stderr: "Failed to connect to bus" }), /exited 1: Failed to connect to bus/],
    [result({ exitCode: null, signal: "SIGKILL" }), /killed by SIGKILL/],
    [result({ exitCode: null, signal: "SIGKILL", timedOut: true }), /did not finish in time/],
  ])("fails clearly when the command fails (%#)", async (outcome, message) => {
    const r = commandRebooter({ argv: ["reboot"], exec: async () => outcome });
    await expect(r.reboot(ctx)).rejects.toThrow(message);
  });

  it("really runs a command (without nsenter, as tests only may)", async () => {
    const { hostExec } = await import("../host/index.js");
    const r = commandRebooter({ argv: ["sh", "-c", "exit 3"], exec: (req) => hostExec({ ...req, useNsenter: false }) });
    await expect(r.reboot(ctx)).rejects.toThrow(/exited 3/);
  });
});

describe("the signal rebooter", () => {
  it("sends the configured signal to PID 1", async () => {
    const sent: [number, number][] = [];
    await signalRebooter({ signal: 39, kill: (pid, sig) => void sent.push([pid, sig]) }).reboot(ctx);
    expect(sent).toEqual([[1, 39]]);
  });

  it("explains what the pod needs when the signal cannot be sent", async () => {
    const r = signalRebooter({
      signal: 39,
      kill: () => {
        throw Object.assign(new Error("kill EPERM"), { code: "EPERM" });
      },
    });
    await expect(r.reboot(ctx)).rejects.toThrow(/hostPID and CAP_KILL/);
  });
});
