/**
 * The e2e harness: a testkit cluster on real time, and one real kured process per node.
 *
 * A node "reboots" like this: kured runs its reboot command, a script of ours that only records
 * the request; the harness sees it, kills that node's daemon with SIGKILL (a machine going down
 * does not shut down cleanly), removes the node's reboot sentinel (the update is installed), lets
 * the simulated kubelet take the node NotReady for `downForMs`, and starts a new daemon process
 * for the node once it is Ready again — which must then uncordon it and release the lock.
 */
import { readFile, rm, mkdir, mkdtemp, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseLockAnnotation } from "@kured/core";
import { skipReasonForRealCluster, startCluster, type Cluster } from "@kured/testkit";
import { daemonEntryMissing } from "./daemon-entry.js";
import { DaemonProcess } from "./daemon-process.js";
import { findHostLauncher, type HostLauncher } from "./host-namespace.js";
import { CordonObserver, LockObserver } from "./observers.js";
import { KURED_SERVICE_ACCOUNT, readRbacManifest } from "./rbac.js";

/** Why the e2e tests cannot run here, else undefined. */
export function e2eSkipReason(): string | undefined {
  const missing = daemonEntryMissing();
  if (missing) return missing;
  const host = findHostLauncher();
  if ("skip" in host) return host.skip;
  return skipReasonForRealCluster("reboot", "audit", "rbacTokens");
}

/** Options of {@link E2eCluster.start}. */
export interface E2eOptions {
  /** how many nodes (node-1…node-N); default 3 */
  readonly nodes?: number;
  /**
   * enforce RBAC from deploy/kured-rbac.yaml and run
   * the daemons as kube-system/kured
   */
  readonly rbac?: boolean;
  /** more kured flags for a node's daemon (`files` places per-node files such as a plugin's) */
  readonly extraArgs?: (node: string, files: Pick<E2eCluster, "nodeFile" | "dir">) => readonly string[];
  /** kured's --period; default 2s */
  readonly period?: string;
  /** how long a rebooting node stays NotReady; default 1000 ms */
  readonly downForMs?: number;
}

/** A reboot kured asked for. */
export interface RebootRequest {
  readonly node: string;
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
  ) {}

  /** Starts the cluster, the observers and the reboot request watcher; no daemon yet. */
  static async start(options: E2eOptions = {}): Promise<E2eCluster> {
    const host = findHostLauncher();
    if ("skip" in host) throw new Error(host.skip);
    const rbacManifests = options.rbac ? await readRbacManifest() : undefined;
    const dir = await mkdtemp(join(tmpdir(), "kured-e2e-"));
    let cluster: Cluster | undefined;
    try {
      cluster = await startCluster({
        nodes: options.nodes ?? 3,
        inProcess: true,
        ...(rbacManifests ? { rbac: { manifests: rbacManifests } } : {}),
      });
      const daemonConfig = options.rbac
        ? cluster.serviceAccountKubeConfig(KURED_SERVICE_ACCOUNT.namespace, KURED_SERVICE_ACCOUNT.name)
        : cluster.kubeConfig;
      const kubeconfigFile = join(dir, "kubeconfig");
      await writeFile(kubeconfigFile, daemonConfig.exportConfig(), { mode: 0o600 });
      await writeRebootScript(dir);
      for (const node of cluster.nodeNames) await mkdir(join(dir, node));
      const lock = await LockObserver.start(cluster.kubeConfig);
      const cordons = await CordonObserver.start(cluster.kubeConfig, cluster.nodeNames);
      const e2e = new E2eCluster(cluster, dir, kubeconfigFile, lock, cordons, host.launcher, options);
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
    return [
      `--kubeconfig=${this.kubeconfigFile}`,
      `--node-id=${node}`,
      `--reboot-sentinel=${this.sentinel(node)}`,
      `--period=${this.options.period ?? "2s"}`,
      "--reboot-method=command",
      `--reboot-command=${join(this.dir, "reboot.sh")} ${node}`,
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
        const node = line.trim().split(/\s+/)[0] as string;
        const request: RebootRequest = { node, seenAt: new Date() };
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
      await this.cluster.reboot(node, { downFor: this.options.downForMs ?? 1000 });
      if (this.closed) return;
      this.startDaemon(node);
      request.backAt = new Date();
    } catch (e) {
      if (!this.closed) this.problems.push(`simulating the reboot of ${node} failed: ${String(e)}`);
    }
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
    const ds = await this.cluster.apis.apps.readNamespacedDaemonSet({ namespace: "kube-system", name: "kured" });
    const value = ds.metadata?.annotations?.["weave.works/kured-node-lock"];
    if (value === undefined) return [];
    return parseLockAnnotation(value, { concurrency: 1 })
      .holders.filter((h) => h.node !== "")
      .map((h) => h.node);
  }

  /** The nodes that are cordoned now (read, not watched). */
  async unschedulableNodes(): Promise<string[]> {
    const list = await this.cluster.apis.core.listNode();
    return list.items.filter((n) => n.spec?.unschedulable === true).map((n) => n.metadata?.name ?? "");
  }

  /**
   * True once the given nodes (default: all) were rebooted and are back, and the cluster is at rest: no node
   * cordoned, the lock free.
   */
  async rolloutDone(...nodes: string[]): Promise<boolean> {
    if (!this.rebootedAndBack(...nodes)) return false;
    if ((await this.unschedulableNodes()).length > 0) return false;
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
