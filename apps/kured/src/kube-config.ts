import { KuredError, loadKubeModule } from "@kured/core";
import type { KubeConfig } from "@kubernetes/client-node";

/**
 * The cluster to talk to: `--kubeconfig` (or `KUBECONFIG`) when given, else the pod's service
 * account (in-cluster), as kured does. Reading a file or the service account contacts nothing.
 */
export async function loadKubeConfig(
  flag: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<KubeConfig> {
  const { KubeConfig } = await loadKubeModule();
  const kc = new KubeConfig();
  const file = flag || env.KUBECONFIG || "";
  try {
    if (file) kc.loadFromFile(file);
    else if (env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
    else {
      throw new Error("not running in a cluster (KUBERNETES_SERVICE_HOST is not set) and no kubeconfig given");
    }
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw KuredError.fromProblems("KURED_ERR_CONFIG_INVALID", [
      {
        subject: "--kubeconfig",
        value: file,
        message: `cannot load the cluster configuration: ${why}`,
        fix: "run kured in a pod with a service account, or give --kubeconfig / KUBECONFIG",
      },
    ]);
  }
  return kc;
}
