/** RBAC enforcement from YAML: ServiceAccount tokens, resourceNames, subresources, real 403 bodies. */
import { ApiException, AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiServer, type ApiServer } from "./api-server.js";

const RBAC = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: kured
rules:
  - apiGroups: [""]
    resources: ["nodes"]
    verbs: ["get", "patch"]
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["list", "delete", "get"]
  - apiGroups: [""]
    resources: ["pods/eviction"]
    verbs: ["create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: kured
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kured }
subjects:
  - kind: ServiceAccount
    name: kured
    namespace: kube-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  namespace: kube-system
  name: kured
rules:
  - apiGroups: ["apps"]
    resourceNames: ["kured"]
    resources: ["daemonsets"]
    verbs: ["update", "patch", "get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  namespace: kube-system
  name: kured
subjects:
  - kind: ServiceAccount
    namespace: kube-system
    name: kured
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: kured }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: kured, namespace: kube-system }
`;

const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

async function status(
  call: Promise<unknown>,
): Promise<{ code: number; body: { message?: string; reason?: string; details?: unknown } }> {
  try {
    await call;
    return { code: 200, body: {} };
  } catch (e) {
    if (!(e instanceof ApiException)) throw e;
    return { code: e.code, body: e.body ? (JSON.parse(e.body as string) as { message?: string }) : {} };
  }
}

describe("RBAC", () => {
  let server: ApiServer;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let admin: CoreV1Api;

  beforeAll(async () => {
    server = await startApiServer({ rbac: true, rbacManifests: RBAC });
    admin = server.toKubeConfig().makeApiClient(CoreV1Api);
    await admin.createNode({ body: { metadata: { name: "n1" } } });
    const adminApps = server.toKubeConfig().makeApiClient(AppsV1Api);
    for (const name of ["kured", "other"]) {
      await adminApps.createNamespacedDaemonSet({
        namespace: "kube-system",
        body: {
          metadata: { name },
          spec: {
            selector: { matchLabels: { n: name } },
            template: { metadata: { labels: { n: name } }, spec: { containers: [{ name: "c", image: "i" }] } },
          },
        },
      });
    }
    const kc = server.toKubeConfig({ token: server.serviceAccountToken("kube-system", "kured") });
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
  });
  afterAll(async () => {
    await server.close();
  });

  it("treats a list pinned to one name by a metadata.name field selector as a request for that name", async () => {
    const pinned = await status(
      apps.listNamespacedDaemonSet({ namespace: "kube-system", fieldSelector: "metadata.name=kured" }),
    );
    expect(pinned.code).toBe(200);
    expect((await status(apps.listNamespacedDaemonSet({ namespace: "kube-system" }))).code).toBe(403);
    expect(
      (await status(apps.listNamespacedDaemonSet({ namespace: "kube-system", fieldSelector: "metadata.name=other" })))
        .code,
    ).toBe(403);
  });

  it("allows what the bound roles grant", async () => {
    expect((await status(core.readNode({ name: "n1" }))).code).toBe(200);
    expect((await status(core.patchNode({ name: "n1", body: { spec: { unschedulable: true } } }, merge))).code).toBe(
      200,
    );
    expect(await status(core.listPodForAllNamespaces({}))).toMatchObject({ code: 200 });
    expect(
      (
        await status(
          apps.patchNamespacedDaemonSet(
            { name: "kured", namespace: "kube-system", body: { metadata: { annotations: { a: "b" } } } },
            merge,
          ),
        )
      ).code,
    ).toBe(200);
  });

  it("403 Forbidden with the real message otherwise", async () => {
    const del = await status(core.deleteNode({ name: "n1" }));
    expect(del.code).toBe(403);
    expect(del.body).toMatchObject({
      reason: "Forbidden",
      message:
        'nodes "n1" is forbidden: User "system:serviceaccount:kube-system:kured" cannot delete resource "nodes" in API group "" at the cluster scope',
      details: { name: "n1", kind: "nodes" },
    });
    const list = await status(core.listNode({}));
    expect(list.body.message).toBe(
      'nodes is forbidden: User "system:serviceaccount:kube-system:kured" cannot list resource "nodes" in API group "" at the cluster scope',
    );
  });

  it("resourceNames limit a Role to the named object; bindings are namespaced", async () => {
    const other = await status(
      apps.patchNamespacedDaemonSet(
        { name: "other", namespace: "kube-system", body: { metadata: { annotations: { a: "b" } } } },
        merge,
      ),
    );
    expect(other.code).toBe(403);
    expect(other.body.message).toBe(
      'daemonsets.apps "other" is forbidden: User "system:serviceaccount:kube-system:kured" cannot patch resource "daemonsets" in API group "apps" in the namespace "kube-system"',
    );
    expect((await status(apps.listNamespacedDaemonSet({ namespace: "kube-system" }))).code).toBe(403);
  });

  it("subresources are authorized by name (pods/eviction)", async () => {
    const r = await status(
      core.createNamespacedPodEviction({ name: "nope", namespace: "default", body: { metadata: { name: "nope" } } }),
    );
    expect(r.code).toBe(404);
    const st = await status(core.patchNodeStatus({ name: "n1", body: { status: {} } }, merge));
    expect(st.code).toBe(403);
    expect(st.body.message).toContain('cannot patch resource "nodes/status"');
  });

  it("the admin token bypasses RBAC; an unknown token is 401", async () => {
    expect((await status(admin.deleteNode({ name: "n1" }))).code).toBe(200);
    const stranger = server.toKubeConfig({ token: "who-is-this" }).makeApiClient(CoreV1Api);
    expect((await status(stranger.listNode({}))).code).toBe(401);
  });
});
