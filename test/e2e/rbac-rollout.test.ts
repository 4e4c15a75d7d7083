/**
 * End to end under RBAC: the API server enforces the Roles of deploy/kured-rbac.yaml, and the
 * daemons authenticate as the ServiceAccount kube-system/kured, as the shipped DaemonSet does.
 * Anything kured does that the manifest does not allow shows up as a 403 in the audit log.
 */
import type { AuditEntry } from "@kured/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { killAllDaemons } from "./support/daemon-process.js";
import { E2eCluster, e2eSkipReason } from "./support/e2e-cluster.js";
import { deniedByShippedManifest, KURED_USER, readRbacManifest, selectedName } from "./support/rbac.js";

afterAll(killAllDaemons);

/** `verb resource[/sub] namespace/name`, with a name selector if any (not the resourceVersion, which varies). */
function describeRequest(e: AuditEntry): string {
  const object = [e.namespace, e.name].filter(Boolean).join("/");
  const name = selectedName(e);
  return `${e.verb} ${e.resource}${e.subresource ? `/${e.subresource}` : ""}${object ? ` ${object}` : ""}${name ? ` (metadata.name=${name})` : ""} [${e.path.split("?")[0]}]`;
}

describe("e2e: kured under the RBAC of deploy/kured-rbac.yaml", () => {
  it("three daemons running as kube-system/kured reboot every node once with no request forbidden", async ({
    skip,
    onTestFinished,
  }) => {
    const why = e2eSkipReason();
    if (why) skip(why);
    const e2e = await E2eCluster.start({ nodes: 3, rbac: true });
    onTestFinished(() => e2e.close());
    const audit = e2e.cluster.server?.audit;
    if (!audit) throw new Error("the in-process server keeps the audit log");

    await e2e.requireReboot();
    e2e.startDaemons();
    await e2e.waitFor("every node rebooted and back, none cordoned, the lock free", () => e2e.rolloutDone(), 75_000);

    const forbidden = [...new Set(audit.entries({ status: 403 }).map(describeRequest))];
    expect(forbidden, "requests RBAC refused").toEqual([]);
    // lists and watches pinned to one name: allowed by the manifest as kube-apiserver reads them
    const named = audit.entries({ user: KURED_USER }).filter((e) => selectedName(e) !== undefined);
    const denied = await deniedByShippedManifest(await readRbacManifest(), named);
    expect([...new Set(denied.map(describeRequest))], "requests kube-apiserver would refuse").toEqual([]);
    // the daemons did work as the ServiceAccount (not as the admin the harness watches with)
    const asKured = audit.counters({ user: KURED_USER });
    expect(asKured).toHaveProperty(["patch nodes"]);
    expect(asKured).toHaveProperty(["patch daemonsets"]);
    expect(e2e.rebootCounts()).toEqual({ "node-1": 1, "node-2": 1, "node-3": 1 });
    expect(e2e.lock.maxHolders()).toBe(1);
    expect(e2e.problems).toEqual([]);
  }, 120_000);
});
