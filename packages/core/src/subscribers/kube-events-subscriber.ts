import type { CoreV1Event, V1Node } from "@kubernetes/client-node";
import type { BusMessage, EventSubscriber } from "../contracts/event-bus.js";
import type { Phase, RebootEvent } from "../contracts/events.js";
import type { Logger } from "../contracts/logger.js";
import { nodePath, type KubeApi } from "../kube/kube-api.js";

/** The Event reason (CamelCase, as Kubernetes reasons are) and type of each phase. */
export const EVENT_REASONS: Readonly<Record<Phase, { reason: string; type: "Normal" | "Warning" }>> = {
  "reboot-required": { reason: "RebootRequired", type: "Normal" },
  blocked: { reason: "RebootBlocked", type: "Warning" },
  "lock-waiting": { reason: "RebootLockWaiting", type: "Normal" },
  "lock-acquired": { reason: "RebootLockAcquired", type: "Normal" },
  draining: { reason: "Draining", type: "Normal" },
  "drain-failed": { reason: "DrainFailed", type: "Warning" },
  rebooting: { reason: "Rebooting", type: "Normal" },
  rebooted: { reason: "Rebooted", type: "Normal" },
  uncordoned: { reason: "Uncordoned", type: "Normal" },
  "lock-released": { reason: "RebootLockReleased", type: "Normal" },
  error: { reason: "RebootError", type: "Warning" },
};

/** Kured's Events live in `default`, as kured's do. */
const EVENTS = "/api/v1/namespaces/default/events";

function message(e: RebootEvent): string {
  const parts = [e.reason ? `${e.reason.message} (${e.reason.code})` : e.phase];
  if (e.attributes.holder) parts.push(`lock holders: ${e.attributes.holder}`);
  if (e.attributes.blocker) parts.push(`blocker: ${e.attributes.blocker}`);
  return parts.join("; ");
}

/**
 * Turns phases into core/v1 Events on the Node (what `kubectl describe node` shows). A repeat of
 * the same reason and message (a node blocked every period) bumps the count of the existing Event
 * instead of creating a new one.
 */
export function kubeEventsSubscriber(options: {
  kube: KubeApi;
  node: string;
  /** the Node's uid, so `describe` links the Events; looked up once if absent */
  nodeUid?: string;
  log: Logger;
  component?: string;
}): EventSubscriber {
  const seen = new Map<string, { name: string; count: number }>();
  let uid = options.nodeUid;
  const component = options.component ?? "kured";
  return {
    id: "kubernetes-events",
    async handle(m: BusMessage): Promise<void> {
      if (m.kind !== "phase") return;
      const e = m.event;
      const { reason, type } = EVENT_REASONS[e.phase];
      const text = message(e);
      const key = `${reason}\u0000${text}`;
      // metav1.Time: RFC 3339 in whole seconds
      const now = e.at.toISOString().replace(/\.\d{3}Z$/, "Z");
      const previous = seen.get(key);
      if (previous) {
        previous.count++;
        await options.kube.patch(`${EVENTS}/${encodeURIComponent(previous.name)}`, {
          count: previous.count,
          lastTimestamp: now,
        });
        return;
      }
      uid ??= (await options.kube.get<V1Node>(nodePath(options.node))).metadata?.uid;
      const body = {
        apiVersion: "v1",
        kind: "Event",
        metadata: { generateName: `${options.node}.kured-`, namespace: "default" },
        involvedObject: { apiVersion: "v1", kind: "Node", name: options.node, ...(uid ? { uid } : {}) },
        reason,
        message: text,
        type,
        source: { component, host: options.node },
        reportingComponent: component,
        reportingInstance: options.node,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      };
      const created = await options.kube.post<CoreV1Event>(EVENTS, body);
      if (created.metadata?.name) seen.set(key, { name: created.metadata.name, count: 1 });
    },
  };
}
