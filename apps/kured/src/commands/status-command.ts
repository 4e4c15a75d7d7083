import type { CoreV1Event, CoreV1EventList, V1Node, V1NodeList } from "@kubernetes/client-node";
import { EVENT_REASONS, formatLockStatus, NodeAnnotations, type LoadedConfig, type LockState } from "@kured/core";
import type { CliIo } from "../cli/io.js";
import { clusterAccess } from "./cluster-access.js";
import { lockStateJson } from "./lock-command.js";

const KURED_REASONS: ReadonlySet<string> = new Set(Object.values(EVENT_REASONS).map((r) => r.reason));

/** A node as `kured status` describes it. */
interface NodeStatus {
  readonly name: string;
  readonly ready: boolean;
  readonly unschedulable: boolean;
  /** cordoned by kured (not before it), from kured.dev/unschedulable-before-drain */
  readonly cordonedByKured: boolean;
  readonly rebootPending: boolean;
  readonly rebootRequested: boolean;
}

function nodeStatus(n: V1Node): NodeStatus {
  const a = n.metadata?.annotations ?? {};
  const unschedulable = n.spec?.unschedulable === true;
  return {
    name: n.metadata?.name ?? "?",
    ready: n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
    unschedulable,
    cordonedByKured: unschedulable && a[NodeAnnotations.unschedulableBeforeDrain] === "false",
    rebootPending: a[NodeAnnotations.rebootInProgress] !== undefined,
    rebootRequested: a[NodeAnnotations.rebootRequested] !== undefined,
  };
}

function eventTime(e: CoreV1Event): number {
  return new Date(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? 0).getTime();
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/**
 * `kured status`: the lock (holders, queue, expiry, manual lock), nodes with a pending or
 * requested reboot, nodes cordoned by kured, and kured's latest Events — against any cluster.
 */
export async function runStatusCommand(loaded: LoadedConfig, io: CliIo): Promise<number> {
  const flags = loaded.config?.values.get("status") as { json: boolean; events: number };
  const { kube, lock } = await clusterAccess(loaded, io);
  const signal = AbortSignal.timeout(60_000);
  const [state, nodes, events]: [LockState, V1Node[], CoreV1Event[]] = await Promise.all([
    lock.inspect({ signal }),
    kube.get<V1NodeList>("/api/v1/nodes", { signal }).then((l) => l.items),
    kube
      .get<CoreV1EventList>("/api/v1/namespaces/default/events", {
        signal,
        query: { fieldSelector: "involvedObject.kind=Node" },
      })
      .then((l) => l.items),
  ]);
  const statuses = nodes.map(nodeStatus).sort((a, b) => a.name.localeCompare(b.name));
  const latest = events
    .filter((e) => e.reason !== undefined && KURED_REASONS.has(e.reason))
    .sort((a, b) => eventTime(b) - eventTime(a))
    .slice(0, flags.events);
  if (flags.json) {
    io.stdout.write(
      `${JSON.stringify({
        lock: lockStateJson(state),
        nodes: statuses,
        events: latest.map((e) => ({
          node: e.involvedObject.name,
          reason: e.reason,
          type: e.type,
          message: e.message,
          count: e.count ?? 1,
          lastTimestamp: new Date(eventTime(e)).toISOString(),
        })),
      })}\n`,
    );
    return 0;
  }
  const out: string[] = ["LOCK", formatLockStatus(state, new Date()), ""];
  const interesting = statuses.filter((s) => s.rebootPending || s.rebootRequested || s.cordonedByKured || !s.ready);
  out.push(`NODES (${statuses.length}; ${interesting.length} with something to report)`);
  if (interesting.length) {
    out.push(
      table([
        ["NAME", "READY", "CORDONED BY KURED", "REBOOT PENDING", "REBOOT REQUESTED"],
        ...interesting.map((s) => [
          s.name,
          s.ready ? "yes" : "no",
          s.cordonedByKured ? "yes" : s.unschedulable ? "no (cordoned before)" : "no",
          s.rebootPending ? "yes" : "no",
          s.rebootRequested ? "yes" : "no",
        ]),
      ]),
    );
  }
  out.push("", `EVENTS (latest ${latest.length})`);
  if (latest.length) {
    out.push(
      table([
        ["LAST SEEN", "NODE", "REASON", "COUNT", "MESSAGE"],
        ...latest.map((e) => [
          new Date(eventTime(e)).toISOString(),
          e.involvedObject.name ?? "",
          e.reason ?? "",
          String(e.count ?? 1),
          e.message ?? "",
        ]),
      ]),
    );
  }
  io.stdout.write(`${out.join("\n")}\n`);
  return 0;
}
