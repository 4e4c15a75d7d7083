import type * as KubeClient from "@kubernetes/client-node";
import type {
  ConfigurationOptions,
  CoreV1Api,
  KubeConfig,
  ObservableMiddleware,
  PolicyV1Api,
  RequestContext,
  ResponseContext,
} from "@kubernetes/client-node";

/** The client library's module; loaded on first use only (it costs tens of MB, see the research notes). */
type KubeModule = typeof KubeClient;

let kubeModule: Promise<KubeModule> | undefined;

/** Imports @kubernetes/client-node once, when a component first talks to the API server. */
export function loadKubeModule(): Promise<KubeModule> {
  kubeModule ??= import("@kubernetes/client-node");
  return kubeModule;
}

/** The API clients the drainer and the pod blocker use, and per-request options. */
export interface DrainApis {
  readonly core: CoreV1Api;
  readonly policy: PolicyV1Api;
  /** options that cancel the request when `signal` aborts */
  withSignal(signal: AbortSignal): ConfigurationOptions;
  /** the same, for a JSON merge patch (the generated client would send a JSON patch otherwise) */
  mergePatch(signal: AbortSignal): ConfigurationOptions;
}

/** Makes the clients once per KubeConfig. */
export async function makeDrainApis(kubeConfig: KubeConfig): Promise<DrainApis> {
  const k8s = await loadKubeModule();
  const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  const policy = kubeConfig.makeApiClient(k8s.PolicyV1Api);
  const signalMiddleware = (signal: AbortSignal): ObservableMiddleware => ({
    pre: (request: RequestContext) => {
      request.setSignal(signal);
      return new k8s.Observable(Promise.resolve(request));
    },
    post: (response: ResponseContext) => new k8s.Observable(Promise.resolve(response)),
  });
  const withSignal = (signal: AbortSignal): ConfigurationOptions => ({
    middleware: [signalMiddleware(signal)],
    middlewareMergeStrategy: "append",
  });
  return {
    core,
    policy,
    withSignal,
    mergePatch: (signal) => k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch, withSignal(signal)),
  };
}

/**
 * Runs one API call; when `signal` has aborted (before or during it) rejects with the signal's
 * reason rather than the client's AbortError, so callers see why they were stopped.
 */
export async function apiCall<T>(signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  if (signal.aborted) throw signal.reason;
  try {
    return await call();
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    throw e;
  }
}
