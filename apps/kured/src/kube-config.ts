import { createKubeApi, KuredError, loadKubeAccess, type KubeApi } from "@kured/core";

/**
 * The cluster to talk to: `--kubeconfig` (or `KUBECONFIG`) when given, else the pod's service
 * account (in-cluster), as kured does. Reading a file or the service account contacts nothing.
 */
export async function loadKube(flag: string, env: Readonly<Record<string, string | undefined>>): Promise<KubeApi> {
  const file = flag || env.KUBECONFIG || "";
  try {
    return createKubeApi(await loadKubeAccess(file, env));
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
}
