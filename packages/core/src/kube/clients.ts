import type * as KubeClientModule from "@kubernetes/client-node";
import type { AppsV1Api, CoordinationV1Api, CoreV1Api, KubeConfig, PolicyV1Api } from "@kubernetes/client-node";

/** The client library module, loaded on first use (it costs tens of MB; `--help` never pays it). */
export type KubeModule = typeof KubeClientModule;

/** One client per API group, made once per daemon. */
export interface KubeClients {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly coordination: CoordinationV1Api;
  readonly policy: PolicyV1Api;
  readonly k8s: KubeModule;
}

let modulePromise: Promise<KubeModule> | undefined;

/** Loads @kubernetes/client-node once. */
export function loadKubeModule(): Promise<KubeModule> {
  modulePromise ??= import("@kubernetes/client-node");
  return modulePromise;
}

const cache = new WeakMap<KubeConfig, Promise<KubeClients>>();

/** The API clients for a KubeConfig, made once and shared by everything that asks. */
export function kubeClients(kubeConfig: KubeConfig): Promise<KubeClients> {
  let clients = cache.get(kubeConfig);
  if (!clients) {
    clients = loadKubeModule().then((k8s) => ({
      kubeConfig,
      core: kubeConfig.makeApiClient(k8s.CoreV1Api),
      apps: kubeConfig.makeApiClient(k8s.AppsV1Api),
      coordination: kubeConfig.makeApiClient(k8s.CoordinationV1Api),
      policy: kubeConfig.makeApiClient(k8s.PolicyV1Api),
      k8s,
    }));
    cache.set(kubeConfig, clients);
  }
  return clients;
}
