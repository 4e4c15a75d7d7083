/**
 * events.k8s.io/v1 and core/v1 Events are two views of one stored object, as in a real cluster:
 * an Event written through either API is listed by both (so `kubectl describe node` shows what
 * kured records with events.k8s.io).
 */
import type { KubeObject } from "./types.js";

/** events.k8s.io field → core field. */
const RENAMES: [string, string][] = [
  ["regarding", "involvedObject"],
  ["note", "message"],
  ["reportingController", "reportingComponent"],
  ["deprecatedSource", "source"],
  ["deprecatedFirstTimestamp", "firstTimestamp"],
  ["deprecatedLastTimestamp", "lastTimestamp"],
  ["deprecatedCount", "count"],
];

function rename(obj: KubeObject, pairs: [string, string][], apiVersion: string): KubeObject {
  const out: KubeObject = {};
  const map = new Map(pairs);
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    out[map.get(k) ?? k] = v;
  }
  out.apiVersion = apiVersion;
  out.kind = "Event";
  return out;
}

/** An events.k8s.io/v1 Event in its stored (core/v1) form. */
export function eventsV1ToCore(obj: KubeObject): KubeObject {
  return rename(obj, RENAMES, "v1");
}

/** A stored (core/v1) Event as events.k8s.io/v1 serves it. */
export function coreToEventsV1(obj: KubeObject): KubeObject {
  return rename(
    obj,
    RENAMES.map(([a, b]) => [b, a]),
    "events.k8s.io/v1",
  );
}
