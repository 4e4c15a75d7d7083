/**
 * A "host" for each daemon process. kured runs its reboot command as
 * `/usr/bin/nsenter -m/proc/1/ns/mnt -- <argv>`, so the process needs a PID 1 whose mount
 * namespace it may enter. In a pod that is the node's init (hostPID); here each daemon gets a PID
 * and mount namespace of its own (`unshare --pid --fork --mount-proc`), in which it is PID 1
 * itself: nsenter works without touching the machine's real init, and killing the process takes
 * everything it started with it, as a reboot would. Where unshare is not allowed but nsenter into
 * the real PID 1 is (root in a CI container), daemons run directly.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** How daemon processes are started. */
export interface HostLauncher {
  /** for messages: which way was found to work */
  readonly name: string;
  /** words put before `node <entry> …` */
  readonly prefix: readonly string[];
  /**
   * true when the daemon gets a PID namespace of its own, so "PID 1" is a process of the test's
   * (a stand-in for the host's init can take that place); false when PID 1 is the machine's
   */
  readonly pidNamespace: boolean;
}

const NSENTER_PROBE = ["/usr/bin/nsenter", "-m/proc/1/ns/mnt", "--", "/bin/true"];

/** The candidate ways, best first: a namespace of its own (as root, then as a mapped root), then the real PID 1. */
const CANDIDATES: readonly HostLauncher[] = [
  {
    name: "own PID and mount namespace",
    prefix: ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"],
    pidNamespace: true,
  },
  {
    name: "own user, PID and mount namespace",
    prefix: ["unshare", "--user", "--map-root-user", "--pid", "--fork", "--mount-proc", "--kill-child"],
    pidNamespace: true,
  },
  { name: "the machine's PID 1", prefix: [], pidNamespace: false },
];

/** `setpriv --pdeathsig KILL`: a daemon dies with the test process even if the test process is killed. */
function deathSignalPrefix(): string[] {
  const ok = spawnSync("setpriv", ["--pdeathsig", "KILL", "--", "/bin/true"], { stdio: "ignore", timeout: 10_000 });
  return ok.status === 0 ? ["setpriv", "--pdeathsig", "KILL", "--"] : [];
}

let found: { launcher: HostLauncher } | { skip: string } | undefined;

/**
 * The first way to start a daemon under which nsenter into "PID 1" works, or why there is none
 * (then the e2e tests skip: the daemon could not run its reboot command).
 */
export function findHostLauncher(): { launcher: HostLauncher } | { skip: string } {
  if (found) return found;
  if (!existsSync(NSENTER_PROBE[0] as string)) {
    found = { skip: "/usr/bin/nsenter is missing (util-linux): kured runs its reboot command through it" };
    return found;
  }
  const tried: string[] = [];
  for (const candidate of CANDIDATES) {
    const [file, ...args] = [...candidate.prefix, ...NSENTER_PROBE];
    const probe = spawnSync(file as string, args, { encoding: "utf8", timeout: 10_000 });
    if (probe.status === 0) {
      found = { launcher: { ...candidate, prefix: [...deathSignalPrefix(), ...candidate.prefix] } };
      return found;
    }
    tried.push(`${candidate.name}: ${(probe.stderr || probe.error?.message || `exit ${probe.status}`).trim()}`);
  }
  found = {
    skip: `no way to give the daemon a PID 1 it may nsenter into (needs root or unprivileged user namespaces): ${tried.join("; ")}`,
  };
  return found;
}
