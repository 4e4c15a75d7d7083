/**
 * Shared helpers of the conformance suite. The suite talks to the cluster only through
 * @kubernetes/client-node, exactly as kured does, so the same tests run against the in-process
 * server and against a real cluster (KURED_E2E_KUBECONFIG).
 */
import { ApiException } from "@kubernetes/client-node";
import { afterAll, beforeAll } from "vitest";
import { startCluster, type Cluster, type StartClusterOptions } from "../cluster/start-cluster.js";
import type { StatusBody } from "../server/status.js";

/**
 * Starts a cluster before the suite and closes it after; returns a getter. On a real cluster it
 * also deletes every Node named by {@link uniqueName} that a test left behind (the cluster's own
 * clean-up covers only what its helpers created).
 */
export function useCluster(options: StartClusterOptions = {}): () => Cluster {
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster(options);
  });
  afterAll(async () => {
    if (cluster && !cluster.capabilities.inProcess) {
      for (const name of uniqueName.issued) await cluster.apis.core.deleteNode({ name }).catch(() => undefined);
    }
    await cluster?.close();
  });
  return () => {
    if (!cluster) throw new Error("cluster not started");
    return cluster;
  };
}

/** The failure of an API call: HTTP code and the parsed Status body. */
export interface ApiFailure {
  code: number;
  status: StatusBody;
}

/** Awaits a call that must fail with an ApiException and returns its code and Status. */
export async function failure(call: Promise<unknown>): Promise<ApiFailure> {
  try {
    await call;
  } catch (e) {
    if (e instanceof ApiException) {
      const body = typeof e.body === "string" ? e.body : JSON.stringify(e.body);
      return { code: e.code, status: JSON.parse(body) as StatusBody };
    }
    throw e;
  }
  throw new Error("expected the call to fail");
}

/** A name unique within this run, starting with `kured-e2e-` (so leftovers on a real cluster are recognisable). */
export function uniqueName(prefix: string): string {
  uniqueName.counter += 1;
  const name = `kured-e2e-${prefix}-${process.pid}-${uniqueName.counter}`;
  uniqueName.issued.push(name);
  return name;
}
uniqueName.counter = 0;
uniqueName.issued = [] as string[];

/** Polls `check` (real time) until it returns a value; for real clusters' asynchronous effects. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
