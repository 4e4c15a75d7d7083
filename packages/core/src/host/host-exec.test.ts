import { describe, expect, it } from "vitest";
import { HostExecError, hostArgv, hostExec, type HostExecResult } from "./host-exec.js";

/** Runs argv directly (no nsenter: tests are not privileged and share the host's namespace anyway). */
const run = (argv: string[], extra: { timeoutMs?: number; signal?: AbortSignal; killGraceMs?: number } = {}) =>
  hostExec({ argv, timeoutMs: extra.timeoutMs ?? 10_000, useNsenter: false, ...extra });

describe("hostArgv", () => {
  it("wraps the command in nsenter for the host's mount namespace by default", () => {
    expect(hostArgv(["/bin/systemctl", "reboot"])).toEqual([
      "/usr/bin/nsenter",
      "-m/proc/1/ns/mnt",
      "--",
      "/bin/systemctl",
      "reboot",
    ]);
  });

  it("leaves the command alone without nsenter", () => {
    expect(hostArgv(["true"], false)).toEqual(["true"]);
  });
});

describe("hostExec (a real process, without nsenter)", () => {
  // [argv, exit code, stdout, stderr]
  const runs: [string[], number, string, string][] = [
    [["true"], 0, "", ""],
    [["false"], 1, "", ""],
    [["sh", "-c", "exit 2"], 2, "", ""],
    [["sh", "-c", "echo out; echo err >&2; exit 3"], 3, "out\n", "err\n"],
    // no shell in between: the words arrive as they are
    [["echo", "$HOME", "a b", "|", "x"], 0, "$HOME a b | x\n", ""],
  ];

  it.each(runs)("runs %j", async (argv, exitCode, stdout, stderr) => {
    const result = await run(argv);
    expect(result).toEqual<HostExecResult>({ exitCode, signal: null, stdout, stderr, timedOut: false });
  });

  it("rejects with HostExecError (ENOENT) when the program does not exist", async () => {
    const error = await run(["/nonexistent/kured-test-binary"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostExecError);
    expect((error as HostExecError).code).toBe("ENOENT");
    expect((error as HostExecError).argv).toEqual(["/nonexistent/kured-test-binary"]);
  });

  it("rejects an empty command", async () => {
    await expect(run([])).rejects.toBeInstanceOf(HostExecError);
  });

  it("kills a hung command at the timeout and says so", async () => {
    const started = Date.now();
    const result = await run(["sleep", "30"], { timeoutMs: 150 });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe("SIGTERM");
    expect(result.exitCode).toBeNull();
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("kills a command that ignores SIGTERM with SIGKILL after the grace period", async () => {
    const started = Date.now();
    const result = await run(["sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"], {
      timeoutMs: 200,
      killGraceMs: 200,
    });
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe("SIGKILL");
    expect(result.stdout).toBe("ready\n");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("ends the command's children too, so their open pipes cannot stall it", async () => {
    const started = Date.now();
    const result = await run(["sh", "-c", "sleep 30 & sleep 30"], { timeoutMs: 150 });
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("does not wait for a background child that keeps the pipes open after the command exited", async () => {
    const started = Date.now();
    const result = await run(["sh", "-c", "sleep 3 & echo done"], { timeoutMs: 10_000 });
    expect(result).toMatchObject({ exitCode: 0, stdout: "done\n", timedOut: false });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("kills the command and rejects with the reason when the signal aborts", async () => {
    const controller = new AbortController();
    const pending = run(["sleep", "30"], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("shutting down")), 50);
    await expect(pending).rejects.toThrow("shutting down");
  });

  it("rejects at once with an already aborted signal", async () => {
    const reason = new Error("gone");
    await expect(run(["true"], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it("keeps at most maxOutputBytes of each stream", async () => {
    const result = await hostExec({
      argv: ["sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x"],
      timeoutMs: 10_000,
      useNsenter: false,
      maxOutputBytes: 1000,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("x".repeat(1000));
  });
});
