import type { V1Pod } from "@kubernetes/client-node";

/** The annotation a kubelet puts on the API mirror of a static pod. */
export const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";

/** Why a pod on the node is left alone by the drain. */
export type SkipReason = "daemonset" | "mirror" | "finished" | "deleting-too-long";

/** What the drain does with one pod, with the facts kured's drain warns about. */
export type PodDisposition =
  | { readonly action: "skip"; readonly why: SkipReason }
  | { readonly action: "evict"; readonly unmanaged: boolean; readonly emptyDir: boolean };

/** `namespace/name`, how pods are named in reasons and logs. */
export function podKey(pod: V1Pod): string {
  return `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
}

function deletionAgeSeconds(pod: V1Pod, now: Date): number | undefined {
  const at = pod.metadata?.deletionTimestamp;
  if (at === undefined) return undefined;
  return (now.getTime() - new Date(at).getTime()) / 1000;
}

/**
 * True when a deleting pod need not be waited for any more (`--skip-wait-for-delete-timeout`):
 * its deletion deadline passed more than `skipSeconds` ago, as kubectl drain measures it.
 */
export function deletingTooLong(pod: V1Pod, now: Date, skipSeconds: number): boolean {
  const age = deletionAgeSeconds(pod, now);
  return skipSeconds > 0 && age !== undefined && age > skipSeconds;
}

/**
 * kured's drain rules (kubectl drain with Force, IgnoreAllDaemonSets and DeleteEmptyDirData):
 * DaemonSet pods and mirror pods stay (their controller or kubelet would bring them straight
 * back), finished pods stay (nothing runs), pods deleting for longer than the skip threshold are
 * not waited for; everything else is evicted — also pods without a controller and pods with
 * emptyDir volumes, whose data is lost.
 */
export function podDisposition(pod: V1Pod, now: Date, skipWaitForDeleteTimeoutSeconds: number): PodDisposition {
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return { action: "skip", why: "finished" };
  if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return { action: "skip", why: "mirror" };
  const owners = pod.metadata?.ownerReferences ?? [];
  if (owners.some((o) => o.kind === "DaemonSet" && o.controller === true)) return { action: "skip", why: "daemonset" };
  if (deletingTooLong(pod, now, skipWaitForDeleteTimeoutSeconds)) return { action: "skip", why: "deleting-too-long" };
  return {
    action: "evict",
    unmanaged: !owners.some((o) => o.controller === true),
    emptyDir: (pod.spec?.volumes ?? []).some((v) => v.emptyDir !== undefined),
  };
}
