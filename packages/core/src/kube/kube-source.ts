import type { KubeConfig } from "@kubernetes/client-node";
import { inClusterAccess, kubeConfigAccess, kubeconfigFileAccess, type KubeAccess } from "./kube-access.js";
import { createKubeApi, type KubeApi } from "./kube-api.js";

const byKubeConfig = new WeakMap<KubeConfig, KubeApi>();

/** The REST client for a library KubeConfig (tests, embedders, the CLI), one per KubeConfig. */
export function kubeApiFor(kubeConfig: KubeConfig): KubeApi {
  let api = byKubeConfig.get(kubeConfig);
  if (!api) {
    api = createKubeApi(kubeConfigAccess(kubeConfig));
    byKubeConfig.set(kubeConfig, api);
  }
  return api;
}

/** The REST client an options object names: `kube`, else one made from `kubeConfig`; throws if neither. */
export function kubeApiOf(
  options: { readonly kube?: KubeApi; readonly kubeConfig?: KubeConfig },
  who: string,
): KubeApi {
  if (options.kube) return options.kube;
  if (options.kubeConfig) return kubeApiFor(options.kubeConfig);
  throw new TypeError(`${who} needs \`kube\` (or \`kubeConfig\`)`);
}

/**
 * The cluster as kured finds it: the kubeconfig file `file` when given (`--kubeconfig`,
 * `KUBECONFIG`), else the pod's service account. Reads files only; contacts nothing.
 */
export async function loadKubeAccess(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<KubeAccess> {
  if (file) return kubeconfigFileAccess(file);
  if (!env.KUBERNETES_SERVICE_HOST) {
    throw new Error("not running in a cluster (KUBERNETES_SERVICE_HOST is not set) and no kubeconfig given");
  }
  return inClusterAccess(env);
}
