/** Builds either lock backend on a test cluster, for tests that run the same story on both. */
import { createLockBackend, type LockBackendOptions, type QueueingLockBackend } from "@kured/core";
import type { Cluster } from "@kured/testkit";

/** The two API-backed backends. */
export type BackendKind = "daemonset" | "lease";
export const BACKEND_KINDS: readonly BackendKind[] = ["daemonset", "lease"];

let serial = 0;

/** A fresh lock (its own DaemonSet or Lease names) and a factory of backends — one per node — sharing it. */
export async function freshLock(
  cluster: Cluster,
  kind: BackendKind,
  options: Omit<LockBackendOptions, "kubeConfig"> = {},
): Promise<{ name: string; backend: () => Promise<QueueingLockBackend> }> {
  const name = `kured-${kind}-${process.pid}-${++serial}`;
  if (kind === "daemonset") await cluster.createKuredDaemonSet({ name, namespace: cluster.namespace });
  const common = { ...options, kubeConfig: cluster.kubeConfig, namespace: cluster.namespace, name };
  return {
    name,
    backend: () => createLockBackend({ ...common, backend: kind }),
  };
}
