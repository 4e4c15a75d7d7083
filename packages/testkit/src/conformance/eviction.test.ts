/** Conformance: the policy/v1 eviction subresource and PodDisruptionBudget arithmetic. */
import type { V1PodDisruptionBudget } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { eventually, failure, uniqueName, useCluster } from "./harness.js";

describe("eviction", () => {
  // replacements stay Pending here, so a used-up budget stays used up (cluster.test.ts covers recovery)
  const cluster = useCluster({ nodes: 3, kured: false, podStartDelayMs: 3_600_000 });
  const core = () => cluster().apis.core;

  function evict(name: string, namespace: string, deleteOptions?: Record<string, unknown>) {
    return core().createNamespacedPodEviction({
      name,
      namespace,
      body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace }, deleteOptions },
    });
  }

  async function budgetStatus(
    name: string,
    namespace: string,
    want: (b: V1PodDisruptionBudget) => boolean,
  ): Promise<V1PodDisruptionBudget> {
    return eventually(async () => {
      const b = await cluster().apis.policy.readNamespacedPodDisruptionBudget({ name, namespace });
      return want(b) ? b : undefined;
    });
  }

  it("maintains budget status as the disruption controller does", async () => {
    const name = uniqueName("status");
    await cluster().createDeployment({ name, replicas: 3, pdb: { minAvailable: 2 } });
    const b = await budgetStatus(name, cluster().namespace, (x) => x.status?.currentHealthy === 3);
    expect(b.status).toMatchObject({ currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1 });
  });

  it("429 with the real body when the budget allows no disruption", async () => {
    const name = uniqueName("tight");
    const { pods } = await cluster().createDeployment({ name, replicas: 2, pdb: { minAvailable: 2 } });
    await budgetStatus(name, cluster().namespace, (x) => x.status?.currentHealthy === 2);
    const f = await failure(evict(pods[0]?.metadata?.name as string, cluster().namespace));
    expect(f.code).toBe(429);
    expect(f.status).toMatchObject({
      status: "Failure",
      reason: "TooManyRequests",
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      code: 429,
    });
    expect(f.status.details?.causes).toEqual([
      { reason: "DisruptionBudget", message: `The disruption budget ${name} needs 2 healthy pods and has 2 currently` },
    ]);
  });

  it("an allowed eviction deletes the pod gracefully and uses up the budget", async () => {
    const name = uniqueName("loose");
    const ns = cluster().namespace;
    const { pods } = await cluster().createDeployment({
      name,
      replicas: 2,
      pdb: { minAvailable: 1 },
      terminationGracePeriodSeconds: 30,
    });
    await budgetStatus(name, ns, (x) => x.status?.disruptionsAllowed === 1);
    const victim = pods[0]?.metadata?.name as string;
    await evict(victim, ns, { gracePeriodSeconds: 30 });
    const p = await core().readNamespacedPod({ name: victim, namespace: ns });
    expect(p.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    expect(p.metadata?.deletionGracePeriodSeconds).toBe(30);
    await budgetStatus(name, ns, (x) => x.status?.disruptionsAllowed === 0);
    const f = await failure(evict(pods[1]?.metadata?.name as string, ns));
    expect(f.code).toBe(429);
  });

  it("500 when more than one budget selects the pod", async () => {
    const name = uniqueName("two");
    const ns = cluster().namespace;
    const { pods } = await cluster().createDeployment({ name, replicas: 2, pdb: { maxUnavailable: 1 } });
    await cluster().createPdb({ name: `${name}-second`, namespace: ns, selector: { app: name }, maxUnavailable: 1 });
    const f = await failure(evict(pods[0]?.metadata?.name as string, ns));
    expect(f.code).toBe(500);
    expect(f.status.reason).toBe("InternalError");
    expect(f.status.message).toBe(
      "Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
    );
  });

  it("404 for a missing pod", async () => {
    const f = await failure(evict("no-such-pod-ev", cluster().namespace));
    expect(f.code).toBe(404);
    expect(f.status.message).toBe('pods "no-such-pod-ev" not found');
  });

  it("409 when deleteOptions.preconditions.uid does not match", async () => {
    const name = uniqueName("uid");
    const pod = await cluster().createPod({ name, nodeName: cluster().nodeNames[0] });
    const f = await failure(
      evict(name, cluster().namespace, { preconditions: { uid: "00000000-0000-0000-0000-000000000000" } }),
    );
    expect(f.code).toBe(409);
    expect(f.status.message).toContain(`UID in object meta: ${pod.metadata?.uid}`);
  });

  it.skipIf(!!process.env.KURED_E2E_KUBECONFIG)(
    "percentages scale against the controller's replicas and round up (skipped on real clusters: their simulated pods have no controller)",
    async () => {
      const ns = cluster().namespace;
      const a = uniqueName("pct-max");
      await cluster().createDeployment({ name: a, replicas: 3, pdb: { maxUnavailable: "50%" } });
      const ba = await budgetStatus(a, ns, (x) => x.status?.currentHealthy === 3);
      // maxUnavailable 50% of 3 → 2 (rounded up) → desiredHealthy 1
      expect(ba.status).toMatchObject({ expectedPods: 3, desiredHealthy: 1, disruptionsAllowed: 2 });
      const b = uniqueName("pct-min");
      await cluster().createDeployment({ name: b, replicas: 3, pdb: { minAvailable: "50%" } });
      const bb = await budgetStatus(b, ns, (x) => x.status?.currentHealthy === 3);
      // minAvailable 50% of 3 → 2 (rounded up)
      expect(bb.status).toMatchObject({ expectedPods: 3, desiredHealthy: 2, disruptionsAllowed: 1 });
    },
  );
});
