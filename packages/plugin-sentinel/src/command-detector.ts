import {
  formatGoDuration,
  hostExec,
  reason,
  type Detector,
  type DetectorResult,
  type HostExec,
  type HostExecResult,
  type NodeContext,
} from "@kured/core";

/** The default limit for one run of the sentinel command. */
export const DEFAULT_SENTINEL_COMMAND_TIMEOUT_MS = 30_000;

/** How to build a {@link CommandSentinelDetector}. */
export interface CommandSentinelDetectorOptions {
  /** the command's words, split at start-up with `splitCommand` */
  readonly argv: readonly string[];
  /** real milliseconds one run may take before it is killed */
  readonly timeoutMs?: number;
  /** how to run it on the host; default core's `hostExec` (nsenter into PID 1's mount namespace) */
  readonly exec?: HostExec;
}

/** Keeps log lines short when a command prints a lot. */
function excerpt(text: string, max = 2000): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Reboot required when a command exits 0 (kured's `--reboot-sentinel-command`), run without a
 * shell in the host's mount namespace. Any other outcome — another exit code, a signal, a
 * timeout, a command that cannot start — means "not required", with a reason naming it: a
 * misconfigured command must never cause a reboot loop. Exit 1 is the ordinary "no"; anything
 * else is also logged as a warning with the command's output.
 */
export class CommandSentinelDetector implements Detector {
  readonly id = "sentinel-command";
  readonly argv: readonly string[];
  readonly timeoutMs: number;
  private readonly exec: HostExec;

  constructor(options: CommandSentinelDetectorOptions) {
    if (options.argv.length === 0) throw new TypeError("the sentinel command has no words");
    this.argv = [...options.argv];
    this.timeoutMs = options.timeoutMs ?? DEFAULT_SENTINEL_COMMAND_TIMEOUT_MS;
    this.exec = options.exec ?? hostExec;
  }

  async check(ctx: NodeContext): Promise<DetectorResult> {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    let result: HostExecResult;
    try {
      result = await this.exec({ argv: this.argv, timeoutMs: this.timeoutMs, signal: ctx.signal });
    } catch (e) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const why = e instanceof Error ? e.message : String(e);
      ctx.log.warn({ cmd: this.argv.join(" "), err: why }, "cannot run the sentinel command");
      return { required: false, reason: reason("sentinel-command-error", `sentinel command could not run: ${why}`) };
    }
    return this.interpret(result, ctx);
  }

  private interpret(result: HostExecResult, ctx: NodeContext): DetectorResult {
    const fields = { cmd: this.argv.join(" "), stdout: excerpt(result.stdout), stderr: excerpt(result.stderr) };
    if (result.timedOut) {
      ctx.log.warn(fields, "the sentinel command timed out and was killed");
      return {
        required: false,
        reason: reason(
          "sentinel-command-timeout",
          `sentinel command timed out after ${formatGoDuration(this.timeoutMs)} and was killed`,
        ),
      };
    }
    if (result.exitCode === 0) {
      return { required: true, reason: reason("sentinel-command-succeeded", "sentinel command exited 0") };
    }
    if (result.exitCode === null) {
      ctx.log.warn({ ...fields, signal: result.signal }, "the sentinel command was killed by a signal");
      return {
        required: false,
        reason: reason("sentinel-command-killed", `sentinel command was killed by ${result.signal ?? "a signal"}`),
      };
    }
    if (result.exitCode !== 1) {
      ctx.log.warn({ ...fields, exitCode: result.exitCode }, "the sentinel command ended with an unexpected exit code");
    }
    return {
      required: false,
      reason: reason("sentinel-command-failed", `sentinel command exited ${result.exitCode}`),
    };
  }
}
