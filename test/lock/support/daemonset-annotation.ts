/** Reading and writing the lock annotation by hand, as Go kured or `kubectl annotate` would. */
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import type { Cluster } from "@kured/testkit";

export const ANNOTATION = "weave.works/kured-node-lock";

/** The annotation's value now (undefined when absent). */
export async function readAnnotation(cluster: Cluster, name: string): Promise<string | undefined> {
  const ds = await cluster.apis.apps.readNamespacedDaemonSet({ name, namespace: cluster.namespace });
  return ds.metadata?.annotations?.[ANNOTATION];
}

/** Sets (or with `null` removes) the annotation unconditionally, as `kubectl annotate --overwrite` does. */
export async function writeAnnotation(cluster: Cluster, name: string, value: string | null): Promise<void> {
  await cluster.apis.apps.patchNamespacedDaemonSet(
    { name, namespace: cluster.namespace, body: { metadata: { annotations: { [ANNOTATION]: value } } } },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );
}
