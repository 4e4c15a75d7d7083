/**
 * `kured status` and `kured lock …` as the kured ServiceAccount, with exactly the rules of
 * deploy/kured-rbac.yaml enforced by the in-process API server: what may not be read is one
 * warning line naming the resource, namespace, verb and RBAC rule; an API failure is one error
 * line; never a stack trace.
 */
import { mkdtempSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { skipReasonForRealCluster, startCluster, type Cluster } from "@kured/testkit";
import { parseAllDocuments } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { runKuredCli, stackLines } from "./run-kured-cli.js";

const skip = skipReasonForRealCluster("rbacTokens");
const KURED_USER = "system:serviceaccount:kube-system:kured";

/** The shipped manifest's objects, as the chart installs them. */
async function shippedRbac(): Promise<Record<string, unknown>[]> {
  const text = await readFile(new URL("../../deploy/kured-rbac.yaml", import.meta.url), "utf8");
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((o): o is Record<string, unknown> => typeof o === "object" && o !== null);
}

type Rule = { apiGroups?: string[]; resources?: string[]; verbs?: string[] };

/** The manifest with `verb` taken away from every rule on `resource` (whatever else the rule grants stays). */
function without(objects: Record<string, unknown>[], resource: string, verb: string): Record<string, unknown>[] {
  return objects.map((o) => {
    if (o.kind !== "Role" && o.kind !== "ClusterRole") return o;
    const rules = (o.rules as Rule[]).map((r) =>
      r.resources?.includes(resource) ? { ...r, verbs: (r.verbs ?? []).filter((v) => v !== verb && v !== "*") } : r,
    );
    return { ...o, rules };
  });
}

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** A cluster enforcing these RBAC objects, and a kubeconfig for the ServiceAccount kube-system/<name>. */
async function asServiceAccount(rbac: Record<string, unknown>[], name = "kured"): Promise<string> {
  cluster = await startCluster({ nodes: ["node-1", "node-2"], rbac: { manifests: rbac as never }, inProcess: true });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), "kured-status-rbac-")), "kubeconfig");
  await cluster.server!.writeKubeconfig(kubeconfig, {
    token: cluster.server!.serviceAccountToken("kube-system", name),
  });
  return kubeconfig;
}

function stderrLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l !== "");
}

describe.skipIf(skip !== undefined)("kured status with the shipped RBAC", () => {
  it.each(["daemonset", "lease"])("succeeds with the %s lock, with at most one-line warnings", async (backend) => {
    const kubeconfig = await asServiceAccount(await shippedRbac());
    const run = await runKuredCli(["status", `--lock-backend=${backend}`, `--kubeconfig=${kubeconfig}`]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("holders: 0/1");
    expect(run.stdout).toContain("NODES (2;");
    expect(stackLines(run.stderr)).toEqual([]);
    for (const line of stderrLines(run.stderr)) expect(line).toMatch(/^kured: warning: cannot \w+ \w+/);
  });

  it("a Role without events/list: one warning with the rule to add, the lock and nodes still shown", async () => {
    const kubeconfig = await asServiceAccount(without(await shippedRbac(), "events", "list"));
    const run = await runKuredCli(["status", `--kubeconfig=${kubeconfig}`]);
    expect(run.code, run.stderr).toBe(0);
    expect(stackLines(run.stderr)).toEqual([]);
    const lines = stderrLines(run.stderr);
    expect(lines).toHaveLength(1);
    const warning = lines[0] as string;
    expect(warning).toMatch(/^kured: warning: cannot list events in namespace "default" \(HTTP 403 Forbidden\)/);
    expect(warning).toContain(
      `add the rule {apiGroups: [""], resources: ["events"], verbs: ["list"]} to a Role in namespace "default" bound to ${KURED_USER}`,
    );
    expect(run.stdout).toContain("holders: 0/1");
    expect(run.stdout).toContain("NODES (2;");
    expect(run.stdout).toContain("EVENTS (unknown");

    const json = await runKuredCli(["status", "--json", `--kubeconfig=${kubeconfig}`]);
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as { lock: unknown; nodes: unknown[]; events: unknown; warnings: string[] };
    expect(parsed.lock).toMatchObject({ capacity: 1, holders: [] });
    expect(parsed.nodes).toHaveLength(2);
    expect(parsed.events).toBeNull();
    expect(parsed.warnings).toEqual([warning.replace(/^kured: warning: /, "")]);
  });

  it("a Role without nodes/list: nodes unknown, one warning naming a ClusterRole", async () => {
    const kubeconfig = await asServiceAccount(without(without(await shippedRbac(), "nodes", "list"), "events", "list"));
    const run = await runKuredCli(["status", `--kubeconfig=${kubeconfig}`]);
    expect(run.code, run.stderr).toBe(0);
    expect(stackLines(run.stderr)).toEqual([]);
    const lines = stderrLines(run.stderr);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^kured: warning: cannot list nodes \(cluster scope\) \(HTTP 403 Forbidden\)/);
    expect(lines[0]).toContain('{apiGroups: [""], resources: ["nodes"], verbs: ["list"]} to a ClusterRole');
    expect(run.stdout).toContain("NODES (unknown");
  });

  it("a lock it may not read fails in one line with the rule to add (exit 1)", async () => {
    const kubeconfig = await asServiceAccount(await shippedRbac());
    // the shipped Role grants Leases in kube-system only
    const run = await runKuredCli([
      "status",
      "--lock-backend=lease",
      "--ds-namespace=ops",
      `--kubeconfig=${kubeconfig}`,
    ]);
    expect(run.code).toBe(1);
    expect(stackLines(run.stderr)).toEqual([]);
    const errors = stderrLines(run.stderr).filter((l) => !l.startsWith("kured: warning:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^kured: KURED_ERR_API: GET \/apis\/coordination.k8s.io\/v1\/namespaces\/ops\/leases\S*: HTTP 403/,
    );
    expect(errors[0]).toMatch(
      /add the rule \{apiGroups: \["coordination.k8s.io"\], resources: \["leases"\], verbs: \["(get|list)"\]\} to a Role in namespace "ops" bound to system:serviceaccount:kube-system:kured$/,
    );
    expect(run.stdout).toContain("LOCK\nunknown");
    expect(run.stdout).toContain("NODES (2;");
  });
});

describe.skipIf(skip !== undefined)("API errors are one line in every command", () => {
  it.each([
    ["lock status", ["lock", "status"]],
    ["lock acquire", ["lock", "acquire", "--reason=freeze"]],
    ["lock release", ["lock", "release"]],
    ["status", ["status"]],
  ])("kured %s as a ServiceAccount without any role", async (_name, argv) => {
    const kubeconfig = await asServiceAccount(await shippedRbac(), "nobody");
    const run = await runKuredCli([...argv, `--kubeconfig=${kubeconfig}`]);
    expect(run.code).toBe(1);
    expect(stackLines(run.stderr)).toEqual([]);
    const errors = stderrLines(run.stderr).filter((l) => !l.startsWith("kured: warning:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^kured: KURED_ERR_API: .*HTTP 403.*add the rule \{apiGroups: \["apps"\]/);
    expect(errors[0]).toContain("system:serviceaccount:kube-system:nobody");
  });

  it("kured lock status on a DaemonSet that does not exist says which flags name it", async () => {
    cluster = await startCluster({ nodes: ["node-1"], inProcess: true });
    const kubeconfig = join(mkdtempSync(join(tmpdir(), "kured-status-rbac-")), "kubeconfig");
    await cluster.server!.writeKubeconfig(kubeconfig);
    const run = await runKuredCli(["lock", "status", "--ds-namespace=ops", `--kubeconfig=${kubeconfig}`]);
    expect(run.code).toBe(1);
    expect(stackLines(run.stderr)).toEqual([]);
    expect(stderrLines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^kured: KURED_ERR_API: .*HTTP 404.*--ds-namespace, --ds-name/);
  });

  it("kured lock status against an API server that is not there", async () => {
    cluster = await startCluster({ nodes: ["node-1"], inProcess: true });
    const kubeconfig = join(mkdtempSync(join(tmpdir(), "kured-status-rbac-")), "kubeconfig");
    await cluster.server!.writeKubeconfig(kubeconfig);
    await cluster.close();
    cluster = undefined;
    const run = await runKuredCli(["lock", "status", `--kubeconfig=${kubeconfig}`]);
    expect(run.code).toBe(1);
    expect(stackLines(run.stderr)).toEqual([]);
    expect(stderrLines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^kured: KURED_ERR_API: .*reachable/);
  });
});
