/**
 * The e2e harness: a testkit cluster on real time, and one real kured process per node.
 *
 * A node "reboots" like this: kured runs its reboot command, a script of ours that only records
 * the request (or, with `--reboot-method=signal`, sends its signal to "PID 1", a stand-in for the
 * host's init that only records it); the harness sees it, kills that node's daemon with SIGKILL
 * (a machine going down does not shut down cleanly), removes the node's reboot sentinel (the
 * update is installed), lets the simulated kubelet take the node NotReady for `downForMs`, and
 * starts a new daemon process for the node once it is Ready again — which must then uncordon it
 * and release the lock.
 *
 * Against a real cluster (KURED_E2E_KUBECONFIG) no kubelet runs the simulated nodes and nothing
 * can reboot them: there the harness gives the Node a new `status.nodeInfo.bootID` itself (a
 * patch, so the writes of the cluster's own controllers are left alone) before it starts the new
 * daemon process, and the lock lives on a DaemonSet in the run's own namespace.
 */
import { randomUUID } from "node:crypto";
import { readFile, rm, mkdir, mkdtemp, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PatchStrategy, setHeaderOptions, type CoreV1Event } from "@kubernetes/client-node";
import { parseLockAnnotation } from "@kured/core";
import { expect } from "vitest";
import { skipReasonForRealCluster, startCluster, type Capability, type Cluster } from "@kured/testkit";
import { daemonEntryMissing } from "./daemon-entry.js";
import { DaemonProcess } from "./daemon-process.js";
import { findHostLauncher, type HostLauncher } from "./host-namespace.js";
import { CordonObserver, LockObserver } from "./observers.js";
import { KURED_SERVICE_ACCOUNT, readRbacManifest } from "./rbac.js";

/** What a test needs beyond a built daemon and a host launcher. */
export interface E2eNeeds {
  /**
   * what the cluster must be able to do; the default (simulated reboots, the audit log, minted
   * ServiceAccount tokens) keeps a test to the in-process server. `[]`: the test runs against a
   * real cluster too.
   */
  readonly cluster?: readonly Capability[];
  /** the daemon's "PID 1" must be a process of the test's (for `--reboot-method=signal`) */
  readonly ownPid1?: boolean;
}

/** Why the e2e tests (with these needs) cannot run here, else undefined. */
export function e2eSkipReason(needs: E2eNeeds = {}): string | undefined {
  const missing = daemonEntryMissing();
  if (missing) return missing;
  const host = findHostLauncher();
  if ("skip" in host) return host.skip;
  if (needs.ownPid1 && !host.launcher.pidNamespace) {
    return `the daemons run in the machine's own PID namespace (${host.launcher.name}), so a signal to PID 1 would reach the machine's init: needs root or unprivileged user namespaces`;
  }
  return skipReasonForRealCluster(...(needs.cluster ?? ["reboot", "audit", "rbacTokens"]));
}

const MERGE_PATCH = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** Options of {@link E2eCluster.start}. */
export interface E2eOptions {
  /** how many nodes (node-1…node-N, prefixed on a real cluster: tests use {@link E2eCluster.nodes}); default 3 */
  readonly nodes?: number;
  /**
   * enforce RBAC from deploy/kured-rbac.yaml and run
   * the daemons as kube-system/kured
   */
  readonly rbac?: boolean;
  /**
   * more kured flags for a node's daemon (`e2e` places per-node files such as a plugin's, and
   * names the nodes)
   */
  readonly extraArgs?: (node: string, e2e: Pick<E2eCluster, "nodeFile" | "dir" | "nodes">) => readonly string[];
  /** kured's --period; default 2s */
  readonly period?: string;
  /** how long a rebooting node stays NotReady; default 1000 ms (in-process only) */
  readonly downForMs?: number;
  /** kured's --concurrency; default 1 (the flag is then left out) */
  readonly concurrency?: number;
  /**
   * kured's --reboot-method; default "command". With "signal" each daemon runs under a stand-in
   * for the host's init (PID 1 of its namespace) that records the signals it gets; set
   * --reboot-signal through `extraArgs`. Needs {@link E2eNeeds.ownPid1}.
   */
  readonly rebootMethod?: "command" | "signal";
}

/** A reboot kured asked for. */
export interface RebootRequest {
  readonly node: string;
  /** how: the reboot command ran, or a signal reached the stand-in for PID 1 */
  readonly method: "command" | "signal";
  /** the signal's number, for method "signal" */
  readonly signal?: number;
  /** when the harness saw the request */
  readonly seenAt: Date;
  /** when the node's new daemon process was started (the node was Ready again) */
  backAt?: Date;
}

/** Real milliseconds between looks at the reboot request file. */
const REQUEST_POLL_MS = 100;

/** A running e2e cluster; close it with {@link E2eCluster.close} (tests do so in onTestFinished). */
export class E2eCluster {
  readonly rebootRequests: RebootRequest[] = [];
  /** unexpected things (a daemon that exited on its own, a failed simulated reboot) */
  readonly problems: string[] = [];
  readonly daemons = new Map<string, DaemonProcess>();
  /** how many daemon processes each node has had */
  readonly starts = new Map<string, number>();
  private readonly handling = new Map<string, Promise<void>>();
  private requestsRead = 0;
  private poller: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    readonly cluster: Cluster,
    readonly dir: string,
    readonly kubeconfigFile: string,
    readonly lock: LockObserver,
    readonly cordons: CordonObserver,
    private readonly launcher: HostLauncher,
    private readonly options: E2eOptions,
    /** the namespace of the DaemonSet that carries the lock */
    readonly lockNamespace: string,
  ) {}

  /** Starts the cluster, the observers and the reboot request watcher; no daemon yet. */
  static async start(options: E2eOptions = {}): Promise<E2eCluster> {
    const host = findHostLauncher();
    if ("skip" in host) throw new Error(host.skip);
    if (options.rebootMethod === "signal" && !host.launcher.pidNamespace) {
      throw new Error(e2eSkipReason({ cluster: [], ownPid1: true }));
    }
    const rbacManifests = options.rbac ? await readRbacManifest() : undefined;
    const dir = await mkdtemp(join(tmpdir(), "kured-e2e-"));
    let cluster: Cluster | undefined;
    try {
      // in-process unless KURED_E2E_KUBECONFIG names a real cluster
      cluster = await startCluster({
        nodes: options.nodes ?? 3,
        ...(rbacManifests ? { rbac: { manifests: rbacManifests } } : {}),
      });
      // the in-process server has kured's DaemonSet in kube-system; on a real cluster it is made in the run's namespace
      const lockNamespace = cluster.capabilities.inProcess ? "kube-system" : cluster.namespace;
      const daemonConfig = options.rbac
        ? cluster.serviceAccountKubeConfig(KURED_SERVICE_ACCOUNT.namespace, KURED_SERVICE_ACCOUNT.name)
        : cluster.kubeConfig;
      const kubeconfigFile = join(dir, "kubeconfig");
      await writeFile(kubeconfigFile, daemonConfig.exportConfig(), { mode: 0o600 });
      await writeRebootScript(dir);
      await writeInitStandIn(dir);
      for (const node of cluster.nodeNames) await mkdir(join(dir, node));
      const lock = await LockObserver.start(cluster.kubeConfig, {
        namespace: lockNamespace,
        concurrency: options.concurrency ?? 1,
      });
      const cordons = await CordonObserver.start(cluster.kubeConfig, cluster.nodeNames);
      const e2e = new E2eCluster(cluster, dir, kubeconfigFile, lock, cordons, host.launcher, options, lockNamespace);
      e2e.watchRebootRequests();
      return e2e;
    } catch (e) {
      await cluster?.close();
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** The node names. */
  get nodes(): readonly string[] {
    return this.cluster.nodeNames;
  }

  /** A node's reboot sentinel (kured's --reboot-sentinel). */
  sentinel(node: string): string {
    return join(this.dir, node, "reboot-required");
  }

  /** A file in the node's own directory (e.g. the example plugin's --block-file). */
  nodeFile(node: string, name: string): string {
    return join(this.dir, node, name);
  }

  /** Makes the node need a reboot, as an OS update would. */
  async requireReboot(...nodes: string[]): Promise<void> {
    for (const node of nodes.length ? nodes : this.nodes) await writeFile(this.sentinel(node), "");
  }

  /** kured's flags for a node. */
  daemonArgs(node: string): string[] {
    const reboot =
      this.options.rebootMethod === "signal"
        ? ["--reboot-method=signal"]
        : ["--reboot-method=command", `--reboot-command=${join(this.dir, "reboot.sh")} ${node}`];
    return [
      `--kubeconfig=${this.kubeconfigFile}`,
      `--node-id=${node}`,
      `--reboot-sentinel=${this.sentinel(node)}`,
      `--period=${this.options.period ?? "2s"}`,
      `--ds-namespace=${this.lockNamespace}`,
      ...(this.options.concurrency === undefined ? [] : [`--concurrency=${this.options.concurrency}`]),
      ...reboot,
      "--metrics-host=127.0.0.1",
      "--metrics-port=0",
      ...(this.options.extraArgs?.(node, this) ?? []),
    ];
  }

  /** Starts a daemon process for each node (or the given ones). */
  startDaemons(...nodes: string[]): void {
    for (const node of nodes.length ? nodes : this.nodes) this.startDaemon(node);
  }

  private startDaemon(node: string): void {
    if (this.closed) return;
    if (this.daemons.get(node)?.running) throw new Error(`a daemon for ${node} is already running`);
    const daemon = DaemonProcess.start({
      node,
      args: this.daemonArgs(node),
      logFile: join(this.dir, node, "kured.log"),
      launcher: this.launcher,
      ...(this.options.rebootMethod === "signal"
        ? { wrapper: [join(this.dir, INIT_STAND_IN), join(this.dir, "reboot-requests"), node] }
        : {}),
    });
    this.daemons.set(node, daemon);
    this.starts.set(node, (this.starts.get(node) ?? 0) + 1);
    void daemon.exited.then((exit) => {
      if (daemon.killed || this.closed) return;
      this.problems.push(
        `the daemon of ${node} exited on its own (code ${exit.code}, signal ${exit.signal}):\n${tail(daemon.log(), 30)}`,
      );
    });
  }

  private watchRebootRequests(): void {
    const file = join(this.dir, "reboot-requests");
    const look = async (): Promise<void> => {
      const text = await readFile(file, "utf8").catch(() => "");
      const lines = text.split("\n").filter((l) => l.trim() !== "");
      for (const line of lines.slice(this.requestsRead)) {
        // "<node>" from the reboot command, "<node> signal <number>" from the stand-in for PID 1
        const [node = "", how, number] = line.trim().split(/\s+/);
        const request: RebootRequest =
          how === "signal"
            ? { node, method: "signal", signal: Number(number), seenAt: new Date() }
            : { node, method: "command", seenAt: new Date() };
        this.rebootRequests.push(request);
        // one reboot at a time per node; a second request waits for the first to finish
        const previous = this.handling.get(node) ?? Promise.resolve();
        const next = previous.then(() => this.simulateReboot(request));
        this.handling.set(node, next);
      }
      this.requestsRead = lines.length;
    };
    const tick = (): void => {
      this.poller = setTimeout(() => {
        if (this.closed) return;
        look().then(tick, (e: unknown) => {
          this.problems.push(`reading the reboot requests failed: ${String(e)}`);
          tick();
        });
      }, REQUEST_POLL_MS);
    };
    tick();
  }

  private async simulateReboot(request: RebootRequest): Promise<void> {
    const { node } = request;
    try {
      if (this.closed) return;
      if (!this.nodes.includes(node)) {
        this.problems.push(`a reboot was requested for an unknown node ${JSON.stringify(node)}`);
        return;
      }
      await this.daemons.get(node)?.kill();
      await rm(this.sentinel(node), { force: true });
      if (this.cluster.capabilities.reboot) {
        await this.cluster.reboot(node, { downFor: this.options.downForMs ?? 1000 });
      } else {
        // a real cluster: the machine "came back" with a new boot, as its kubelet would report
        await this.cluster.apis.core.patchNodeStatus(
          { name: node, body: { status: { nodeInfo: { bootID: randomUUID() } } } },
          MERGE_PATCH,
        );
      }
      if (this.closed) return;
      this.startDaemon(node);
      request.backAt = new Date();
    } catch (e) {
      if (!this.closed) this.problems.push(`simulating the reboot of ${node} failed: ${String(e)}`);
    }
  }

  /** `value` for each node (for expected per-node maps, whatever the nodes are called). */
  perNode<T>(value: T): Record<string, T> {
    return Object.fromEntries(this.nodes.map((n) => [n, value]));
  }

  /** Cordons a node as an admin would (`kubectl cordon`). */
  async cordon(node: string): Promise<void> {
    await this.cluster.apis.core.patchNode({ name: node, body: { spec: { unschedulable: true } } }, MERGE_PATCH);
  }

  /** How many reboots kured asked for, per node. */
  rebootCounts(): Record<string, number> {
    const counts: Record<string, number> = Object.fromEntries(this.nodes.map((n) => [n, 0]));
    for (const r of this.rebootRequests) counts[r.node] = (counts[r.node] ?? 0) + 1;
    return counts;
  }

  /** True once every node in `nodes` (default: all) was rebooted and is back with a new daemon. */
  rebootedAndBack(...nodes: string[]): boolean {
    return (nodes.length ? nodes : this.nodes).every((node) =>
      this.rebootRequests.some((r) => r.node === node && r.backAt !== undefined),
    );
  }

  /** The lock's holders as the server has them now (read, not watched). */
  async lockHolders(): Promise<string[]> {
    const ds = await this.cluster.apis.apps.readNamespacedDaemonSet({ namespace: this.lockNamespace, name: "kured" });
    const value = ds.metadata?.annotations?.["weave.works/kured-node-lock"];
    if (value === undefined) return [];
    return parseLockAnnotation(value, { concurrency: this.options.concurrency ?? 1 })
      .holders.filter((h) => h.node !== "")
      .map((h) => h.node);
  }

  /** This run's nodes that are cordoned now (read, not watched; a real cluster's own nodes are not counted). */
  /** The core/v1 Events kured wrote about a node (namespace default, as kubectl describe node shows them). */
  async nodeEvents(node: string): Promise<CoreV1Event[]> {
    const list = await this.cluster.apis.core.listNamespacedEvent({
      namespace: "default",
      fieldSelector: `involvedObject.kind=Node,involvedObject.name=${node}`,
    });
    return list.items;
  }

  /**
   * The end of a rollout in which `blocked` waited for `free`: each node rebooted once, in that
   * order, one at a time, nothing left cordoned or locked, no daemon trouble.
   */
  async expectBlockedThenFree(free: string, blocked: string): Promise<void> {
    expect(this.rebootCounts()).toEqual(this.perNode(1));
    expect(this.lock.acquisitions()).toEqual([free, blocked]);
    expect(this.lock.maxHolders()).toBe(1);
    expect(await this.unschedulableNodes()).toEqual([]);
    expect(await this.lockHolders()).toEqual([]);
    expect(this.problems).toEqual([]);
  }

  async unschedulableNodes(): Promise<string[]> {
    const list = await this.cluster.apis.core.listNode();
    return list.items
      .filter((n) => n.spec?.unschedulable === true)
      .map((n) => n.metadata?.name ?? "")
      .filter((name) => this.nodes.includes(name))
      .sort();
  }

  /**
   * True once the given nodes (default: all) were rebooted and are back, and the cluster is at rest: no node
   * cordoned, the lock free.
   */
  async rolloutDone(...nodes: string[]): Promise<boolean> {
    return this.atRest({ rebooted: nodes });
  }

  /**
   * True once the `rebooted` nodes (default: all) were rebooted and are back, and the cluster is at
   * rest: the lock free, and exactly the `cordoned` nodes (default: none) cordoned.
   */
  async atRest(expect: { rebooted?: readonly string[]; cordoned?: readonly string[] }): Promise<boolean> {
    if (!this.rebootedAndBack(...(expect.rebooted ?? []))) return false;
    const cordoned = await this.unschedulableNodes();
    if (cordoned.join(",") !== [...(expect.cordoned ?? [])].sort().join(",")) return false;
    return (await this.lockHolders()).length === 0;
  }

  /**
   * Polls `check` until it is true. Fails at once when something unexpected happened (a daemon
   * died), and on timeout with what the cluster and the daemons were doing.
   */
  async waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.problems.length) throw new Error(`while waiting for ${what}: ${this.problems.join("\n\n")}`);
      if (await check()) return;
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n\n${this.diagnostics()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** What the cluster and the daemons were doing: for failure messages. */
  diagnostics(): string {
    const requests = this.rebootRequests.map(
      (r) => `${r.node} seen ${r.seenAt.toISOString()}${r.backAt ? ` back ${r.backAt.toISOString()}` : " (not back)"}`,
    );
    const logs = this.nodes.map(
      (node) => `--- ${node} (${this.starts.get(node) ?? 0} processes):\n${tail(this.log(node), 20)}`,
    );
    return [
      `lock holders: [${this.lock.holders().join(", ")}], cordoned: [${this.cordons.cordoned().join(", ")}]`,
      `reboot requests: ${requests.length ? requests.join("; ") : "none"}`,
      `problems: ${this.problems.length ? this.problems.join("; ") : "none"}`,
      ...logs,
    ].join("\n");
  }

  /** A node's daemon log (all its processes). */
  log(node: string): string {
    return this.daemons.get(node)?.log() ?? "";
  }

  /** Kills every daemon, stops the observers and the cluster, removes the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.poller);
    await Promise.all([...this.daemons.values()].map((d) => d.kill()));
    this.lock.stop();
    this.cordons.stop();
    await this.cluster.close();
    // a reboot in flight returns once the simulator stopped; make sure it started nothing
    await Promise.allSettled(this.handling.values());
    await Promise.all([...this.daemons.values()].map((d) => d.kill()));
    if (process.env.KURED_E2E_KEEP) process.stderr.write(`kured e2e: kept ${this.dir}\n`);
    else await rm(this.dir, { recursive: true, force: true });
  }
}

/** The file name of the stand-in for the host's init (see {@link writeInitStandIn}). */
const INIT_STAND_IN = "pid1.sh";

/**
 * Signals the stand-in for PID 1 records: the usual ones and every real-time signal (systemd
 * reboots on 39, SIGRTMIN+5). A signal it does not trap is dropped (PID 1 of a namespace ignores
 * signals it has no handler for), so a daemon that sends a wrong one is never seen rebooting.
 */
const RECORDED_SIGNALS = [1, 2, 3, 10, 12, 15, ...Array.from({ length: 64 - 34 + 1 }, (_, i) => 34 + i)];

/**
 * With `--reboot-method=signal` kured signals PID 1, the host's init. Here each daemon runs as the
 * child of this script, which its launcher makes PID 1 of the daemon's own PID namespace: it
 * appends "<node> signal <number>" to the reboot requests for each signal it gets, and ends with
 * the daemon.
 */
async function writeInitStandIn(dir: string): Promise<void> {
  const script = join(dir, INIT_STAND_IN);
  await writeFile(
    script,
    [
      "#!/bin/sh",
      "# The e2e tests' stand-in for the host's init: usage pid1.sh <requests file> <node> <command…>",
      "requests=$1; node=$2; shift 2",
      `record() { printf '%s signal %s\\n' "$node" "$1" >> "$requests"; }`,
      `for s in ${RECORDED_SIGNALS.join(" ")}; do trap "record $s" "$s"; done`,
      '"$@" &',
      "child=$!",
      "# a trapped signal interrupts wait: wait again until the daemon itself has ended",
      "while :; do",
      '  wait "$child"; status=$?',
      '  kill -0 "$child" 2>/dev/null || exit "$status"',
      "done",
      "",
    ].join("\n"),
  );
  await chmod(script, 0o755);
}

/** kured's reboot command here: records the request, reboots nothing. */
async function writeRebootScript(dir: string): Promise<void> {
  const script = join(dir, "reboot.sh");
  const requests = join(dir, "reboot-requests");
  await writeFile(
    script,
    [
      "#!/bin/sh",
      "# The e2e tests' --reboot-command: record which node asked, and exit 0 as `systemctl reboot`",
      "# does; the harness then reboots the simulated node and restarts its daemon.",
      `printf '%s\\n' "$1" >> '${requests}'`,
      "",
    ].join("\n"),
  );
  await chmod(script, 0o755);
}

function tail(text: string, lines: number): string {
  return text
    .split("\n")
    .slice(-lines - 1)
    .join("\n");
}
