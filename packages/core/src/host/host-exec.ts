/** The nsenter kured runs host commands through: enter PID 1's mount namespace (needs hostPID). */
export const NSENTER_PATH = "/usr/bin/nsenter";

/** What comes before the command's own words: `/usr/bin/nsenter -m/proc/1/ns/mnt --`. */
export const NSENTER_PREFIX: readonly string[] = [NSENTER_PATH, "-m/proc/1/ns/mnt", "--"];

/** How long a command may keep running after SIGTERM on timeout before it gets SIGKILL. */
export const DEFAULT_KILL_GRACE_MS = 2000;

/** Bytes of stdout and of stderr kept (the rest is dropped), so a chatty command cannot fill memory. */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;

/** What to run on the host. */
export interface HostExecRequest {
  /** the command's words (already split, e.g. by `splitCommand`); argv[0] is looked up in the host's PATH */
  readonly argv: readonly string[];
  /** real milliseconds the command may run before it is killed; must be > 0 */
  readonly timeoutMs: number;
  /** kills the command and rejects with the signal's reason when it aborts */
  readonly signal?: AbortSignal;
  /**
   * Run through nsenter in the host's mount namespace (the default and the only production
   * setting). `false` runs argv directly in this process's namespaces: for tests only, never a flag.
   */
  readonly useNsenter?: boolean;
  /** real milliseconds between SIGTERM and SIGKILL on timeout; default {@link DEFAULT_KILL_GRACE_MS} */
  readonly killGraceMs?: number;
  /** bytes kept of each output stream; default {@link DEFAULT_MAX_OUTPUT_BYTES} */
  readonly maxOutputBytes?: number;
}

/** How a host command ended. */
export interface HostExecResult {
  /** the exit code, or null when a signal ended the process */
  readonly exitCode: number | null;
  /** the signal that ended the process, or null when it exited */
  readonly signal: NodeJS.Signals | null;
  /** standard output as UTF-8, cut at `maxOutputBytes` */
  readonly stdout: string;
  /** standard error as UTF-8, cut at `maxOutputBytes` */
  readonly stderr: string;
  /** true when the command ran out of time and was killed */
  readonly timedOut: boolean;
}

/** Runs a command on the host; the shape the detectors and rebooters depend on (tests pass a fake). */
export type HostExec = (request: HostExecRequest) => Promise<HostExecResult>;

/** The command could not be started at all (e.g. nsenter or the program is missing: ENOENT). */
export class HostExecError extends Error {
  override readonly name = "HostExecError";
  constructor(
    message: string,
    /** the errno code from spawn, e.g. `ENOENT`, `EACCES` */
    readonly code: string | undefined,
    /** the full argv that was spawned (nsenter prefix included) */
    readonly argv: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The argv actually spawned for a host command. */
export function hostArgv(argv: readonly string[], useNsenter = true): string[] {
  return useNsenter ? [...NSENTER_PREFIX, ...argv] : [...argv];
}

/** Collects up to `max` bytes of a stream and drops the rest. */
class OutputBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly max: number) {}
  add(chunk: Buffer): void {
    const room = this.max - this.size;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(kept);
    this.size += kept.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

/** Real milliseconds to wait for the output pipes to close after the process exited. */
const PIPE_CLOSE_WAIT_MS = 200;

/**
 * Runs a command in the host's mount namespace (`/usr/bin/nsenter -m/proc/1/ns/mnt -- <argv>`),
 * without a shell. Resolves with how it ended — a non-zero exit is a result, not an error; rejects
 * with HostExecError when it cannot be started, and with the signal's reason when `signal` aborts.
 *
 * On timeout the command's whole process group gets SIGTERM, then SIGKILL after `killGraceMs`,
 * so a hung command (or its children) never stalls the caller. Timers here are real time on
 * purpose: the command is a real process, whatever clock the caller uses.
 */
export function hostExec(request: HostExecRequest): Promise<HostExecResult> {
  const argv = hostArgv(request.argv, request.useNsenter ?? true);
  const [file, ...args] = argv;
  const signal = request.signal;
  if (file === undefined || file === "") {
    return Promise.reject(new HostExecError("host command is empty", undefined, argv));
  }
  if (!(request.timeoutMs > 0)) {
    return Promise.reject(new RangeError(`hostExec: timeoutMs must be > 0, got ${request.timeoutMs}`));
  }
  if (signal?.aborted) return Promise.reject(signal.reason as unknown);

  const killGraceMs = request.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const maxOutput = request.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;

  return new Promise<HostExecResult>((resolve, reject) => {
    // A process group of its own, so that a timeout or abort also ends what the command started.
    // node:child_process (with node:net and node:dgram) loads with the first command, not at start
    const { spawn } = process.getBuiltinModule("node:child_process");
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"], detached: true, shell: false });
    const stdout = new OutputBuffer(maxOutput);
    const stderr = new OutputBuffer(maxOutput);
    child.stdout.on("data", (c: Buffer) => stdout.add(c));
    child.stderr.on("data", (c: Buffer) => stderr.add(c));

    let timedOut = false;
    let aborted = false;
    let settled = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const timers = new Set<NodeJS.Timeout>();
    const later = (ms: number, fn: () => void): void => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
    };

    const killGroup = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // the group is already gone; fall back to the process itself in case it left the group
        try {
          child.kill(sig);
        } catch {
          /* already dead */
        }
      }
    };
    const terminate = (): void => {
      killGroup("SIGTERM");
      later(killGraceMs, () => killGroup("SIGKILL"));
    };

    const finish = (): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      signal?.removeEventListener("abort", onAbort);
      if (aborted) {
        reject(signal?.reason as unknown);
        return;
      }
      resolve({
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        stdout: stdout.text(),
        stderr: stderr.text(),
        timedOut,
      });
    };

    const onAbort = (): void => {
      aborted = true;
      if (exit) {
        finish();
        return;
      }
      killGroup("SIGKILL");
    };
    signal?.addEventListener("abort", onAbort, { once: true });

    later(request.timeoutMs, () => {
      if (exit) return;
      timedOut = true;
      terminate();
    });

    child.once("error", (e: NodeJS.ErrnoException) => {
      // 'error' without a pid: spawn failed (ENOENT, EACCES); with one, killing failed: ignore.
      if (child.pid !== undefined || settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      signal?.removeEventListener("abort", onAbort);
      reject(new HostExecError(`cannot run ${argv.join(" ")}: ${e.message}`, e.code, argv, { cause: e }));
    });

    child.once("exit", (code, sig) => {
      exit = { code, signal: sig };
      // Background children may hold the pipes open; do not wait for them for long.
      later(PIPE_CLOSE_WAIT_MS, () => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      });
    });
    child.once("close", () => {
      if (exit) finish();
    });
  });
}
