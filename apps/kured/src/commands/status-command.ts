import type { CoreV1Event, CoreV1EventList, V1Node, V1NodeList } from "@kubernetes/client-node";
import { EVENT_REASONS, formatLockStatus, NodeAnnotations, type LoadedConfig, type LockState } from "@kured/core";
import { apiFailureOf, apiKuredError, remedyFor, type ApiAccess, type ApiFailure } from "../cli/api-failure.js";
import type { CliIo } from "../cli/io.js";
import { clusterAccess } from "./cluster-access.js";
import { lockStateJson } from "./lock-command.js";

/** Where Events about Nodes (cluster-scoped objects) live, and where kured writes them. */
const EVENTS_NAMESPACE = "default";

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

/** A part of the status that could not be read: one warning line, or the error when it was the lock. */
interface Unreadable {
  readonly part: string;
  readonly failure: ApiFailure;
  /** the request the part makes, for the RBAC rule when the API server did not name it */
  readonly access?: ApiAccess;
}

/** Reads one part; an API failure becomes `undefined` and a note in `unreadable`, anything else throws. */
async function readPart<T>(
  part: string,
  read: Promise<T>,
  unreadable: Unreadable[],
  access?: ApiAccess,
): Promise<T | undefined> {
  try {
    return await read;
  } catch (e) {
    const failure = apiFailureOf(e);
    if (!failure) throw e;
    unreadable.push({ part, failure, ...(access ? { access } : {}) });
    return undefined;
  }
}

/** `cannot list events in namespace "default" (HTTP 403 Forbidden): …; add the rule …`, on one line. */
function warningLine(u: Unreadable): string {
  const asked = u.failure.access ?? u.access;
  const what = asked
    ? `cannot ${asked.verb} ${asked.resource}${asked.namespace === undefined ? " (cluster scope)" : ` in namespace ${JSON.stringify(asked.namespace)}`}`
    : `cannot read ${u.part}`;
  const status =
    u.failure.status === undefined
      ? "no answer"
      : `HTTP ${u.failure.status}${u.failure.reason ? ` ${u.failure.reason}` : ""}`;
  return `${what} (${status}), so ${u.part} are not shown; to show them, ${remedyFor(u.failure, u.access)}`;
}

/**
 * `kured status`: the lock (holders, queue, expiry, manual lock), nodes with a pending or
 * requested reboot, nodes cordoned by kured, and kured's latest Events — against any cluster.
 * A part it may not read (RBAC, a missing object, an outage) is a one-line warning and the rest
 * is still shown; without the lock, the command fails with one line (KURED_ERR_API).
 */
export async function runStatusCommand(loaded: LoadedConfig, io: CliIo): Promise<number> {
  const flags = loaded.config?.values.get("status") as { json: boolean; events: number };
  const { kube, lock } = await clusterAccess(loaded, io);
  const signal = AbortSignal.timeout(60_000);
  const unreadable: Unreadable[] = [];
  const lockFailures: unknown[] = [];
  const [state, nodeList, eventList] = await Promise.all([
    lock.inspect({ signal }).catch((e: unknown) => {
      if (!apiFailureOf(e)) throw e;
      lockFailures.push(e);
      return undefined;
    }),
    readPart(
      "nodes",
      kube.get<V1NodeList>("/api/v1/nodes", { signal }).then((l) => l.items),
      unreadable,
      { verb: "list", group: "", resource: "nodes" },
    ),
    readPart(
      "kured's Events",
      kube
        .get<CoreV1EventList>(`/api/v1/namespaces/${EVENTS_NAMESPACE}/events`, {
          signal,
          query: { fieldSelector: "involvedObject.kind=Node" },
        })
        .then((l) => l.items),
      unreadable,
      { verb: "list", group: "", resource: "events", namespace: EVENTS_NAMESPACE },
    ),
  ]);
  const warnings = unreadable.map(warningLine);
  for (const w of warnings) io.stderr.write(`kured: warning: ${w}\n`);
  const statuses = (nodeList ?? []).map(nodeStatus).sort((a, b) => a.name.localeCompare(b.name));
  const latest = (eventList ?? [])
    .filter((e) => e.reason !== undefined && KURED_REASONS.has(e.reason))
    .sort((a, b) => eventTime(b) - eventTime(a))
    .slice(0, flags.events);
  io.stdout.write(
    flags.json
      ? `${JSON.stringify({
          lock: state ? lockStateJson(state) : null,
          nodes: nodeList ? statuses : null,
          events: eventList ? latest.map(eventJson) : null,
          warnings,
        })}\n`
      : `${statusText(state, nodeList && statuses, eventList && latest)}\n`,
  );
  // the lock is what status is for: without it the command failed, in one line
  if (!state) throw apiKuredError(lockFailures[0]) ?? lockFailures[0];
  return 0;
}

function eventJson(e: CoreV1Event): Record<string, unknown> {
  return {
    node: e.involvedObject.name,
    reason: e.reason,
    type: e.type,
    message: e.message,
    count: e.count ?? 1,
    lastTimestamp: new Date(eventTime(e)).toISOString(),
  };
}

/** The table view; a part that could not be read says so (its warning is on stderr). */
function statusText(
  state: LockState | undefined,
  statuses: readonly NodeStatus[] | undefined,
  latest: readonly CoreV1Event[] | undefined,
): string {
  const out: string[] = ["LOCK", state ? formatLockStatus(state, new Date()) : "unknown: it could not be read", ""];
  if (!statuses) out.push("NODES (unknown: they could not be read)");
  else {
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
  }
  if (!latest) out.push("", "EVENTS (unknown: they could not be read)");
  else {
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
  }
  return out.join("\n");
}
