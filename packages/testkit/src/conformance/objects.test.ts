/** Conformance: status codes, Status bodies and resourceVersion semantics of object writes. */
import { V1MicroTime } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { failure, uniqueName, useCluster } from "./harness.js";

describe("objects: create, read, update, delete", () => {
  const cluster = useCluster({ nodes: 1, kured: false });

  it("404 NotFound carries the real Status body", async () => {
    const f = await failure(cluster().apis.core.readNode({ name: "no-such-node-xyz" }));
    expect(f.code).toBe(404);
    expect(f.status).toMatchObject({
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      reason: "NotFound",
      message: 'nodes "no-such-node-xyz" not found',
      details: { name: "no-such-node-xyz", kind: "nodes" },
      code: 404,
    });
  });

  it("qualifies resources of named groups in messages (daemonsets.apps)", async () => {
    const f = await failure(
      cluster().apis.apps.readNamespacedDaemonSet({ name: "nope", namespace: cluster().namespace }),
    );
    expect(f.status.message).toBe('daemonsets.apps "nope" not found');
    expect(f.status.details).toMatchObject({ name: "nope", group: "apps", kind: "daemonsets" });
  });

  // Updates go to Leases of the test's namespace: on a real cluster controllers write Nodes at any
  // time, so a replace of a Node read earlier may meet their writes (409) rather than the test's.
  const leases = () => cluster().apis.coordination;
  const lease = (name: string, holderIdentity = "n1") => ({ metadata: { name }, spec: { holderIdentity } });

  it("every write returns a new, larger resourceVersion; creation sets uid and creationTimestamp", async () => {
    const namespace = cluster().namespace;
    const name = uniqueName("rv");
    const created = await leases().createNamespacedLease({ namespace, body: lease(name) });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const rv1 = Number(created.metadata?.resourceVersion);
    const updated = await leases().replaceNamespacedLease({
      name,
      namespace,
      body: { ...created, metadata: { ...created.metadata, labels: { a: "1" } } },
    });
    const rv2 = Number(updated.metadata?.resourceVersion);
    expect(rv2).toBeGreaterThan(rv1);
    const status = await leases().deleteNamespacedLease({ name, namespace });
    expect(status.status).toBe("Success");
  });

  it("409 AlreadyExists on a second create", async () => {
    const core = cluster().apis.core;
    const name = uniqueName("dup");
    await core.createNode({ body: { metadata: { name } } });
    const f = await failure(core.createNode({ body: { metadata: { name } } }));
    expect(f.code).toBe(409);
    expect(f.status).toMatchObject({
      reason: "AlreadyExists",
      message: `nodes "${name}" already exists`,
      details: { name, kind: "nodes" },
    });
    await core.deleteNode({ name });
  });

  it("409 Conflict on an update with a stale resourceVersion, with the real message", async () => {
    const namespace = cluster().namespace;
    const name = uniqueName("stale");
    const first = await leases().createNamespacedLease({ namespace, body: lease(name) });
    await leases().replaceNamespacedLease({
      name,
      namespace,
      body: { ...first, metadata: { ...first.metadata, labels: { step: "1" } } },
    });
    const f = await failure(
      leases().replaceNamespacedLease({
        name,
        namespace,
        body: { ...first, metadata: { ...first.metadata, labels: { step: "2" } } },
      }),
    );
    expect(f.code).toBe(409);
    expect(f.status.reason).toBe("Conflict");
    expect(f.status.message).toBe(
      `Operation cannot be fulfilled on leases.coordination.k8s.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    );
    await leases().deleteNamespacedLease({ name, namespace });
  });

  it("an update that changes nothing keeps the resourceVersion", async () => {
    const namespace = cluster().namespace;
    const name = uniqueName("noop");
    const created = await leases().createNamespacedLease({
      namespace,
      body: { ...lease(name), metadata: { name, labels: { a: "b" } } },
    });
    const again = await leases().replaceNamespacedLease({ name, namespace, body: created });
    expect(again.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    await leases().deleteNamespacedLease({ name, namespace });
  });

  it("422 Invalid for a bad name, with field causes", async () => {
    const f = await failure(cluster().apis.core.createNode({ body: { metadata: { name: "Bad_Name" } } }));
    expect(f.code).toBe(422);
    expect(f.status.reason).toBe("Invalid");
    expect(f.status.message).toMatch(
      /^Node "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    expect(f.status.details?.causes?.[0]).toMatchObject({ reason: "FieldValueInvalid", field: "metadata.name" });
  });

  it("generateName makes a unique name", async () => {
    const ns = cluster().namespace;
    const ev = await cluster().apis.core.createNamespacedEvent({
      namespace: ns,
      body: {
        metadata: { generateName: "kured-" },
        involvedObject: { kind: "Node", name: "n" },
        reason: "Test",
        message: "m",
        type: "Normal",
      },
    });
    expect(ev.metadata?.name).toMatch(/^kured-[a-z0-9]{5}$/);
  });

  it("404 for a namespaced create in a missing namespace", async () => {
    const f = await failure(
      cluster().apis.coordination.createNamespacedLease({
        namespace: "no-such-ns-q",
        body: { metadata: { name: "x" }, spec: {} },
      }),
    );
    expect(f.code).toBe(404);
    expect(f.status.message).toBe('namespaces "no-such-ns-q" not found');
  });

  it("Lease MicroTimes with six fractional digits are accepted and read back as given", async () => {
    const coord = cluster().apis.coordination;
    const ns = cluster().namespace;
    const name = uniqueName("lease");
    // a string re-sent as read (client-node does not revive MicroTime) passes through unchanged
    const renew = "2026-01-05T10:00:00.123456Z" as unknown as V1MicroTime;
    await coord.createNamespacedLease({
      namespace: ns,
      body: {
        metadata: { name },
        spec: { holderIdentity: "n1", leaseDurationSeconds: 30, renewTime: renew, acquireTime: renew },
      },
    });
    const read = await coord.readNamespacedLease({ name, namespace: ns });
    expect(String(read.spec?.renewTime)).toBe("2026-01-05T10:00:00.123456Z");
    await coord.replaceNamespacedLease({
      name,
      namespace: ns,
      body: { ...read, spec: { ...read.spec, renewTime: new V1MicroTime("2026-01-05T10:00:01.5Z") } },
    });
    const again = await coord.readNamespacedLease({ name, namespace: ns });
    expect(String(again.spec?.renewTime)).toBe("2026-01-05T10:00:01.500000Z");
    const dup = await failure(coord.createNamespacedLease({ namespace: ns, body: { metadata: { name }, spec: {} } }));
    expect(dup.status.reason).toBe("AlreadyExists");
    expect(dup.status.message).toBe(`leases.coordination.k8s.io "${name}" already exists`);
  });

  it.skipIf(!!process.env.KURED_E2E_KUBECONFIG)(
    "a three-digit MicroTime is a 400 decode error (skipped on real clusters: newer servers may relax the parsing, kubernetes#141204)",
    async () => {
      const f = await failure(
        cluster().apis.coordination.createNamespacedLease({
          namespace: cluster().namespace,
          body: { metadata: { name: uniqueName("lease3") }, spec: { renewTime: "2026-01-05T10:00:00.123Z" as never } },
        }),
      );
      expect(f.code).toBe(400);
      expect(f.status.message).toContain(`cannot parse ".123Z" as ".000000"`);
    },
  );

  it("events.k8s.io Events are listed as core Events too (one storage)", async () => {
    const ns = cluster().namespace;
    const name = uniqueName("ev");
    await cluster().apis.events.createNamespacedEvent({
      namespace: ns,
      body: {
        metadata: { name },
        eventTime: new V1MicroTime(),
        reportingController: "kured.dev/kured",
        reportingInstance: "n1",
        action: "Reboot",
        reason: "Rebooting",
        type: "Normal",
        note: "rebooting n1",
        regarding: { apiVersion: "v1", kind: "Node", name: "n1" },
      },
    });
    const core = await cluster().apis.core.readNamespacedEvent({ name, namespace: ns });
    expect(core.message).toBe("rebooting n1");
    expect(core.involvedObject.name).toBe("n1");
    expect(core.reportingComponent).toBe("kured.dev/kured");
  });

  it("events.k8s.io validation requires eventTime, reportingController, reportingInstance and action", async () => {
    const f = await failure(
      cluster().apis.events.createNamespacedEvent({
        namespace: cluster().namespace,
        body: { metadata: { name: uniqueName("bad-ev") }, reason: "x" } as never,
      }),
    );
    expect(f.code).toBe(422);
  });
});
