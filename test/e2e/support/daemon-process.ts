/**
 * One kured daemon process: started on its own "host" (see host-namespace.ts), its output in a
 * log file, killed with SIGKILL like a machine that reboots. Every process started here is
 * tracked, so a failing test, a thrown hook or the test process exiting never leaves one behind.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { daemonEntry, REPO_ROOT } from "./daemon-entry.js";
import type { HostLauncher } from "./host-namespace.js";

/** How a daemon process ended. */
export interface DaemonExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** What to start. */
export interface DaemonProcessOptions {
  readonly node: string;
  /** kured's flags */
  readonly args: readonly string[];
  /** appended to, one header per start, so a node's file holds all its processes */
  readonly logFile: string;
  readonly launcher: HostLauncher;
  /**
   * words put between the launcher and `node <entry> …`: a program that runs the daemon as its
   * child (e.g. the stand-in for the host's init, as PID 1 of the daemon's namespace)
   */
  readonly wrapper?: readonly string[];
  /** KURED_* variables for the daemon (the test process's own KURED_* are never passed on) */
  readonly env?: Readonly<Record<string, string>>;
}

const live = new Set<DaemonProcess>();

// The last line of defence: vitest ending the worker without running hooks.
process.once("exit", () => {
  for (const daemon of live) daemon.killNow();
});

/**
 * The environment of a daemon: the test process's, without anything that would change what kured
 * does (a developer's KURED_*, KUBECONFIG, NODE_OPTIONS such as --inspect).
 */
function daemonEnv(extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("KURED_") || key === "KUBECONFIG" || key === "NODE_OPTIONS") continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** A running (or ended) daemon process. */
export class DaemonProcess {
  /** resolves when the process (the launcher and the daemon it started) has exited */
  readonly exited: Promise<DaemonExit>;
  private exit: DaemonExit | undefined;
  private killRequested = false;

  private constructor(
    readonly node: string,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        live.delete(this);
        resolve(this.exit);
      });
    });
  }

  /** Starts `node <entry> <args>` for one node. */
  static start(options: DaemonProcessOptions): DaemonProcess {
    const fd = openSync(options.logFile, "a");
    try {
      const argv = [
        ...options.launcher.prefix,
        ...(options.wrapper ?? []),
        process.execPath,
        daemonEntry(),
        ...options.args,
      ];
      writeSync(fd, `=== ${new Date().toISOString()} start: ${argv.join(" ")}\n`);
      const [file, ...args] = argv;
      // A process group of its own: one kill reaches the launcher and the daemon it forked.
      const child = spawn(file as string, args, {
        cwd: REPO_ROOT,
        env: daemonEnv(options.env ?? {}),
        stdio: ["ignore", fd, fd],
        detached: true,
      });
      if (child.pid === undefined) throw new Error(`cannot start the daemon for ${options.node}: ${argv.join(" ")}`);
      const daemon = new DaemonProcess(options.node, options.logFile, child);
      live.add(daemon);
      child.once("error", () => {
        /* reported through `exited` and the log file */
      });
      return daemon;
    } finally {
      closeSync(fd);
    }
  }

  /** The pid of the process group. */
  get pid(): number {
    return this.child.pid as number;
  }

  /** True until the process has exited. */
  get running(): boolean {
    return this.exit === undefined;
  }

  /** True once {@link kill} was called: an exit after that is expected. */
  get killed(): boolean {
    return this.killRequested;
  }

  /** How it ended, once it has. */
  get exitStatus(): DaemonExit | undefined {
    return this.exit;
  }

  /** Sends SIGKILL to the whole process group at once, without waiting. */
  killNow(): void {
    this.killRequested = true;
    try {
      process.kill(-this.pid, "SIGKILL");
    } catch {
      // the group is gone already
    }
  }

  /**
   * Kills the process as a reboot would (SIGKILL, no clean shutdown) and waits until it and
   * everything in its group is gone, so it can make no further request.
   */
  async kill(): Promise<void> {
    this.killNow();
    await this.exited;
    // The daemon is reaped by whoever adopts it; wait (briefly) until the group is empty.
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline) {
      try {
        process.kill(-this.pid, 0);
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The node's log file (all its processes so far). */
  log(): string {
    try {
      return readFileSync(this.logFile, "utf8");
    } catch {
      return "";
    }
  }
}

/** Kills every daemon process still running (a test's cleanup, also after a failure). */
export async function killAllDaemons(): Promise<void> {
  await Promise.all([...live].map((daemon) => daemon.kill()));
}
