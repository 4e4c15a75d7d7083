/** Conformance: the three patch content types, as kured sends them through client-node. */
import { PatchStrategy, setHeaderOptions, type V1Node } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { failure, uniqueName, useCluster } from "./harness.js";

const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
const strategic = setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch);
const jsonPatch = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);

/**
 * A write conditional on the object's resourceVersion, retried from a fresh read while another
 * writer (a real cluster's node or DaemonSet controller) gets in between: 409 for a merge patch's
 * precondition, 422 for a JSON patch's failing `test`.
 */
async function fromFreshVersion<T>(read: () => Promise<string>, write: (rv: string) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const rv = await read();
    try {
      return await write(rv);
    } catch (e) {
      const code = (e as { code?: number }).code;
      if ((code !== 409 && code !== 422) || attempt >= 10) throw e;
    }
  }
}

// Other writers may add labels, annotations and conditions to a fresh object on a real cluster:
// the checks name the keys the test wrote and removed, never the whole map.
describe("patch", () => {
  const cluster = useCluster({ nodes: 1, kured: false });
  const core = () => cluster().apis.core;
  async function node(extra: Partial<V1Node> = {}): Promise<V1Node> {
    return core().createNode({
      body: {
        metadata: { name: uniqueName("patch"), annotations: { keep: "yes", drop: "me" }, labels: { a: "1" } },
        ...extra,
      },
    });
  }

  it("merge patch: sets and deletes (null) annotations, cordons", async () => {
    const n = await node();
    const name = n.metadata?.name as string;
    const p = await core().patchNode(
      {
        name,
        body: {
          metadata: { annotations: { "weave.works/kured-node-lock": "x", drop: null } },
          spec: { unschedulable: true },
        },
      },
      merge,
    );
    expect(p.metadata?.annotations).toMatchObject({ keep: "yes", "weave.works/kured-node-lock": "x" });
    expect(p.metadata?.annotations?.drop).toBeUndefined();
    expect(p.spec?.unschedulable).toBe(true);
    expect(Number(p.metadata?.resourceVersion)).toBeGreaterThan(Number(n.metadata?.resourceVersion));
  });

  it("merge patch: a resourceVersion in the patch is a precondition (409 when stale)", async () => {
    const n = await node();
    const name = n.metadata?.name as string;
    let rv = "";
    await fromFreshVersion(
      async () => (await core().readNode({ name })).metadata?.resourceVersion as string,
      (fresh) => {
        rv = fresh;
        return core().patchNode({ name, body: { metadata: { resourceVersion: fresh, labels: { b: "2" } } } }, merge);
      },
    );
    // our own write moved the resourceVersion on: the same precondition is stale now
    const f = await failure(
      core().patchNode({ name, body: { metadata: { resourceVersion: rv, labels: { c: "3" } } } }, merge),
    );
    expect(f.code).toBe(409);
    expect(f.status.message).toBe(
      `Operation cannot be fulfilled on nodes "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    );
  });

  it("merge patch replaces lists whole", async () => {
    const n = await node({
      spec: {
        taints: [
          { key: "a", effect: "NoSchedule" },
          { key: "b", effect: "NoSchedule" },
        ],
      },
    });
    const p = await core().patchNode(
      { name: n.metadata?.name as string, body: { spec: { taints: [{ key: "c", effect: "PreferNoSchedule" }] } } },
      merge,
    );
    expect(p.spec?.taints?.map((t) => t.key)).toEqual(["c"]);
  });

  it("JSON patch: add with ~1-escaped keys, test on resourceVersion, remove", async () => {
    const n = await node();
    const name = n.metadata?.name as string;
    const p = await fromFreshVersion(
      async () => (await core().readNode({ name })).metadata?.resourceVersion as string,
      (rv) =>
        core().patchNode(
          {
            name,
            body: [
              { op: "test", path: "/metadata/resourceVersion", value: rv },
              { op: "add", path: "/metadata/annotations/weave.works~1kured-node-lock", value: '{"nodeID":"n1"}' },
              { op: "remove", path: "/metadata/annotations/drop" },
            ],
          },
          jsonPatch,
        ),
    );
    expect(p.metadata?.annotations?.["weave.works/kured-node-lock"]).toBe('{"nodeID":"n1"}');
    expect(p.metadata?.annotations?.drop).toBeUndefined();
  });

  it("JSON patch: a failing test is 422 and changes nothing", async () => {
    const n = await node();
    const name = n.metadata?.name as string;
    const f = await failure(
      core().patchNode(
        {
          name,
          body: [
            { op: "test", path: "/metadata/resourceVersion", value: "1" },
            { op: "add", path: "/metadata/labels/x", value: "y" },
          ],
        },
        jsonPatch,
      ),
    );
    expect(f.code).toBe(422);
    expect(f.status.reason).toBe("Invalid");
    const after = await core().readNode({ name });
    expect(after.metadata?.labels?.x).toBeUndefined();
  });

  it("JSON patch: removing a missing key is 422", async () => {
    const n = await node();
    const f = await failure(
      core().patchNode(
        { name: n.metadata?.name as string, body: [{ op: "remove", path: "/metadata/annotations/absent" }] },
        jsonPatch,
      ),
    );
    expect(f.code).toBe(422);
  });

  it("a merge-style body sent as JSON patch (client-node's default Content-Type) is a 400", async () => {
    const n = await node();
    const f = await failure(
      core().patchNode({ name: n.metadata?.name as string, body: { spec: { unschedulable: true } } }),
    );
    expect(f.code).toBe(400);
    expect(f.status.message).toContain("cannot unmarshal object into Go value of type []handlers.jsonPatchOp");
  });

  it("strategic merge patch: labels and annotations merge, null deletes, unschedulable set", async () => {
    const n = await node();
    const p = await core().patchNode(
      {
        name: n.metadata?.name as string,
        body: { metadata: { labels: { b: "2" }, annotations: { drop: null } }, spec: { unschedulable: true } },
      },
      strategic,
    );
    expect(p.metadata?.labels).toMatchObject({ a: "1", b: "2" });
    expect(p.metadata?.annotations?.keep).toBe("yes");
    expect(p.metadata?.annotations?.drop).toBeUndefined();
    expect(p.spec?.unschedulable).toBe(true);
  });

  it("strategic merge patch: spec.taints is atomic (listType=atomic), so the list is replaced, as on a real server", async () => {
    const n = await node({ spec: { taints: [{ key: "a", effect: "NoSchedule" }] } });
    const p = await core().patchNode(
      {
        name: n.metadata?.name as string,
        body: { spec: { taints: [{ key: "weave.works/kured-node-reboot", effect: "PreferNoSchedule" }] } },
      },
      strategic,
    );
    expect(p.spec?.taints?.map((t) => t.key)).toEqual(["weave.works/kured-node-reboot"]);
  });

  it("strategic merge patch: status.conditions merge by type", async () => {
    const n = await node();
    const name = n.metadata?.name as string;
    await core().patchNodeStatus(
      {
        name,
        body: {
          status: {
            conditions: [
              { type: "Ready", status: "True" },
              { type: "DiskPressure", status: "False" },
            ],
          },
        },
      },
      strategic,
    );
    const p = await core().patchNodeStatus(
      { name, body: { status: { conditions: [{ type: "Ready", status: "False" }] } } },
      strategic,
    );
    const byType = Object.fromEntries((p.status?.conditions ?? []).map((c) => [c.type, c.status]));
    expect(byType).toMatchObject({ Ready: "False", DiskPressure: "False" });
  });

  it("415 for an unsupported patch Content-Type", async () => {
    const n = await node();
    const f = await failure(
      core().patchNode(
        { name: n.metadata?.name as string, body: { spec: {} } },
        setHeaderOptions("Content-Type", "application/json"),
      ),
    );
    expect(f.code).toBe(415);
    expect(f.status.reason).toBe("UnsupportedMediaType");
  });

  it("404 when patching a missing object", async () => {
    const f = await failure(
      core().patchNode({ name: "no-such-node-patch", body: { spec: { unschedulable: true } } }, merge),
    );
    expect(f.code).toBe(404);
  });

  it("DaemonSet lock annotation: merge patch with resourceVersion, as the kured lock does", async () => {
    const apps = cluster().apis.apps;
    const ns = cluster().namespace;
    const name = uniqueName("ds");
    const ds = await apps.createNamespacedDaemonSet({
      namespace: ns,
      body: {
        metadata: { name },
        spec: {
          selector: { matchLabels: { n: name } },
          template: { metadata: { labels: { n: name } }, spec: { containers: [{ name: "c", image: "i" }] } },
        },
      },
    });
    expect(ds.metadata?.generation).toBe(1);
    // the DaemonSet controller writes status right after creation (and on a real cluster, whenever
    // it likes): the patch is retried from the latest version, as the kured lock does
    await cluster().settle();
    const lock = JSON.stringify({
      nodeID: "n1",
      metadata: { unschedulable: false },
      created: "2026-01-05T00:00:00Z",
      TTL: 0,
    });
    const p = await fromFreshVersion(
      async () => (await apps.readNamespacedDaemonSet({ name, namespace: ns })).metadata?.resourceVersion as string,
      (rv) =>
        apps.patchNamespacedDaemonSet(
          {
            name,
            namespace: ns,
            body: { metadata: { resourceVersion: rv, annotations: { "weave.works/kured-node-lock": lock } } },
          },
          merge,
        ),
    );
    expect(p.metadata?.annotations?.["weave.works/kured-node-lock"]).toBe(lock);
    expect(p.metadata?.generation).toBe(1);
  });
});
