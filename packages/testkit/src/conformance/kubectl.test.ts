/**
 * kubectl against the in-process server: the commands an operator uses around kured. Skipped
 * (with a message) when kubectl is not installed, except in CI, where it must be.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../cluster/start-cluster.js";
import { kubectlPath } from "../tools/kube-binaries.js";

function kubectlInstalled(): boolean {
  try {
    execFileSync(kubectlPath(), ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const missing = !kubectlInstalled() && process.env.CI !== "true";

describe.skipIf(missing)("kubectl (skipped: kubectl is not on PATH)", () => {
  let cluster: Cluster;
  let dir: string;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 3, inProcess: true });
    await cluster.createDeployment({ name: "web", replicas: 3, emptyDir: true, pdb: { minAvailable: 2 } });
    dir = mkdtempSync(join(tmpdir(), "kured-kubectl-"));
    await cluster.server?.writeKubeconfig(join(dir, "kubeconfig"));
  });
  afterAll(async () => {
    await cluster?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function kubectl(...args: string[]): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      execFile(
        kubectlPath(),
        args,
        { env: { ...process.env, KUBECONFIG: join(dir, "kubeconfig"), HOME: dir }, timeout: 60_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });
  }

  it("get nodes prints the server-side table", async () => {
    const r = await kubectl("get", "nodes");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n/);
    expect(r.out).toMatch(/node-1\s+Ready\s+<none>\s+\S+\s+v1\.32\.0/);
  });

  it("get pods -A lists every namespace", async () => {
    const r = await kubectl("get", "pods", "-A");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    expect(r.out).toMatch(/kube-system\s+kured-\S+\s+1\/1\s+Running/);
    expect(r.out).toMatch(/default\s+web-\S+\s+1\/1\s+Running/);
  });

  it("annotate sets and removes the kured lock annotation", async () => {
    const set = await kubectl(
      "annotate",
      "ds",
      "kured",
      "-n",
      "kube-system",
      'weave.works/kured-node-lock={"nodeID":"manual"}',
    );
    expect(set.out).toContain("daemonset.apps/kured annotated");
    const ds = await cluster.apis.apps.readNamespacedDaemonSet({ name: "kured", namespace: "kube-system" });
    expect(ds.metadata?.annotations?.["weave.works/kured-node-lock"]).toBe('{"nodeID":"manual"}');
    const unset = await kubectl("annotate", "ds", "kured", "-n", "kube-system", "weave.works/kured-node-lock-");
    expect(unset.out).toContain("daemonset.apps/kured annotated");
    const after = await cluster.apis.apps.readNamespacedDaemonSet({ name: "kured", namespace: "kube-system" });
    expect(after.metadata?.annotations?.["weave.works/kured-node-lock"]).toBeUndefined();
  });

  it("cordon and uncordon", async () => {
    expect((await kubectl("cordon", "node-3")).out).toContain("node/node-3 cordoned");
    expect((await cluster.apis.core.readNode({ name: "node-3" })).spec?.unschedulable).toBe(true);
    expect((await kubectl("get", "nodes")).out).toMatch(/node-3\s+Ready,SchedulingDisabled/);
    expect((await kubectl("uncordon", "node-3")).out).toContain("node/node-3 uncordoned");
    expect((await cluster.apis.core.readNode({ name: "node-3" })).spec?.unschedulable).toBeFalsy();
  });

  it("drain --ignore-daemonsets --delete-emptydir-data evicts a budgeted replica", async () => {
    const r = await kubectl("drain", "node-1", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=60s");
    expect(r.out).toContain("node/node-1 cordoned");
    expect(r.out).toMatch(/evicting pod default\/web-/);
    expect(r.out).toContain("node/node-1 drained");
    expect(r.code).toBe(0);
    const left = await cluster.apis.core.listPodForAllNamespaces({ fieldSelector: "spec.nodeName=node-1" });
    expect(left.items.map((p) => p.metadata?.namespace)).toEqual(["kube-system"]);
    await kubectl("uncordon", "node-1");
  });

  it("describe node", async () => {
    const r = await kubectl("describe", "node", "node-2");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Name:\s+node-2$/m);
    expect(r.out).toMatch(/Boot ID:\s+boot-node-2-0/);
    expect(r.out).toMatch(/Non-terminated Pods:\s+\(\d+ in total\)/);
  });
});
