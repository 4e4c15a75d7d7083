import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { podDisposition, type PodDisposition } from "./pod-rules.js";

const NOW = new Date("2026-01-05T12:00:00Z");

function pod(extra: { meta?: V1Pod["metadata"]; spec?: Partial<NonNullable<V1Pod["spec"]>>; phase?: string }): V1Pod {
  return {
    metadata: { name: "p", namespace: "default", ...extra.meta },
    spec: { containers: [{ name: "main" }], ...extra.spec },
    status: { phase: extra.phase ?? "Running" },
  };
}

const rs = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-1", uid: "u1", controller: true };
const ds = { apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", uid: "u2", controller: true };

describe("podDisposition (kured's drain rules)", () => {
  // [what, pod, skip-wait seconds, expected]
  const table: [string, V1Pod, number, PodDisposition][] = [
    [
      "a ReplicaSet pod is evicted",
      pod({ meta: { ownerReferences: [rs] } }),
      0,
      { action: "evict", unmanaged: false, emptyDir: false },
    ],
    ["a pod without controller is evicted (Force)", pod({}), 0, { action: "evict", unmanaged: true, emptyDir: false }],
    [
      "an owner that is not the controller leaves the pod unmanaged",
      pod({ meta: { ownerReferences: [{ ...rs, controller: false }] } }),
      0,
      { action: "evict", unmanaged: true, emptyDir: false },
    ],
    [
      "an emptyDir pod is evicted (DeleteEmptyDirData)",
      pod({ meta: { ownerReferences: [rs] }, spec: { volumes: [{ name: "s", emptyDir: {} }] } }),
      0,
      { action: "evict", unmanaged: false, emptyDir: true },
    ],
    ["a DaemonSet pod stays", pod({ meta: { ownerReferences: [ds] } }), 0, { action: "skip", why: "daemonset" }],
    [
      "a mirror pod stays",
      pod({ meta: { annotations: { "kubernetes.io/config.mirror": "abc" } } }),
      0,
      { action: "skip", why: "mirror" },
    ],
    ["a Succeeded pod stays", pod({ phase: "Succeeded" }), 0, { action: "skip", why: "finished" }],
    ["a Failed pod stays", pod({ phase: "Failed" }), 0, { action: "skip", why: "finished" }],
    ["a Pending pod is evicted", pod({ phase: "Pending" }), 0, { action: "evict", unmanaged: true, emptyDir: false }],
    [
      "a pod deleting past the skip timeout is not waited for",
      pod({ meta: { deletionTimestamp: new Date(NOW.getTime() - 61_000) } }),
      60,
      { action: "skip", why: "deleting-too-long" },
    ],
    [
      "a pod deleting within the skip timeout is still evicted and waited for",
      pod({ meta: { deletionTimestamp: new Date(NOW.getTime() - 59_000) } }),
      60,
      { action: "evict", unmanaged: true, emptyDir: false },
    ],
    [
      "without a skip timeout every deleting pod is waited for",
      pod({ meta: { deletionTimestamp: new Date(NOW.getTime() - 3_600_000) } }),
      0,
      { action: "evict", unmanaged: true, emptyDir: false },
    ],
  ];

  it.each(table)("%s", (_what, p, skip, expected) => {
    expect(podDisposition(p, NOW, skip)).toEqual(expected);
  });
});
