/**
 * kubectl against the in-process server: the commands an operator uses around kured. Skipped
 * (with a message) when kubectl is not installed, except in CI, where it must be.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

  /** Writes a manifest into the test's directory and returns its path. */
  function manifest(file: string, yaml: string): string {
    const path = join(dir, file);
    writeFileSync(path, yaml);
    return path;
  }

  const agent = (extra: string): string => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: default
spec:
  selector:
    matchLabels: { app: agent }
  updateStrategy:
    type: RollingUpdate
    rollingUpdate: { maxUnavailable: 1 }
  template:
    metadata:
      labels: { app: agent }
    spec:
      serviceAccountName: agent
      containers:
        - name: agent
          image: registry.example.com/agent:1
          args: ["--period=1h"]
          env:
            - name: NODE
              valueFrom: { fieldRef: { fieldPath: spec.nodeName } }
          ports: [{ containerPort: 8080, name: metrics }]
          livenessProbe: { httpGet: { path: /healthz, port: metrics } }
${extra}`;

  it("apply -f with validation on (the default) creates, leaves unchanged and patches", async () => {
    const sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: agent, namespace: default }\n";
    const file = manifest("agent.yaml", `${sa}---\n${agent("")}`);
    const created = await kubectl("apply", "-f", file);
    expect(created.out).toBe("serviceaccount/agent created\ndaemonset.apps/agent created\n");
    expect(created.code).toBe(0);
    expect((await kubectl("apply", "-f", file)).out).toBe(
      "serviceaccount/agent unchanged\ndaemonset.apps/agent unchanged\n",
    );
    const changed = manifest("agent-2.yaml", agent("          imagePullPolicy: Always\n"));
    const patched = await kubectl("apply", "-f", changed);
    expect(patched.out).toBe("daemonset.apps/agent configured\n");
    const ds = await cluster.apis.apps.readNamespacedDaemonSet({ name: "agent", namespace: "default" });
    expect(ds.spec?.template.spec?.containers[0]?.imagePullPolicy).toBe("Always");
  });

  it("apply -f rejects a misspelt field as kube-apiserver does, and creates nothing", async () => {
    const file = manifest("typo.yaml", agent("          imagePullPolicyy: Always\n").replaceAll("agent", "typo"));
    const r = await kubectl("apply", "-f", file);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain(
      'Error from server (BadRequest): error when creating "' +
        file +
        '": DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy"',
    );
    const list = await cluster.apis.apps.listNamespacedDaemonSet({ namespace: "default" });
    expect(list.items.map((d) => d.metadata?.name)).not.toContain("typo");
  });

  it("apply -f rejects a value of the wrong type", async () => {
    const file = manifest(
      "type.yaml",
      agent("")
        .replace("  updateStrategy:", "  revisionHistoryLimit: ten\n  updateStrategy:")
        .replaceAll("agent", "badtype"),
    );
    const r = await kubectl("apply", "-f", file);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(
      /cannot be handled as a DaemonSet: json: cannot unmarshal string into Go struct field DaemonSetSpec\.spec\.revisionHistoryLimit of type int32/,
    );
  });

  it("apply --validate=warn creates the object and prints the server's warning", async () => {
    const file = manifest("warn.yaml", agent("          imagee: other\n").replaceAll("agent", "warned"));
    const r = await kubectl("apply", "--validate=warn", "-f", file);
    expect(r.out).toContain('Warning: unknown field "spec.template.spec.containers[0].imagee"');
    expect(r.out).toContain("daemonset.apps/warned created");
    expect(r.code).toBe(0);
  });

  it("replace -f with validation on", async () => {
    const file = manifest(
      "cm.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: default }\ndata: { period: 1h }\n",
    );
    expect((await kubectl("create", "-f", file)).out).toBe("configmap/settings created\n");
    const replaced = manifest(
      "cm-2.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: default }\ndata: { period: 2h }\n",
    );
    expect((await kubectl("replace", "-f", replaced)).out).toBe("configmap/settings replaced\n");
    const typo = manifest(
      "cm-3.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: default }\ndatta: { period: 3h }\n",
    );
    const r = await kubectl("replace", "-f", typo);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('strict decoding error: unknown field "datta"');
    const cm = await cluster.apis.core.readNamespacedConfigMap({ name: "settings", namespace: "default" });
    expect(cm.data).toEqual({ period: "2h" });
  });

  it("api-resources lists ServiceAccounts, Services and ConfigMaps with their short names and scope", async () => {
    const r = await kubectl("api-resources", "--api-group=");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^configmaps\s+cm\s+v1\s+true\s+ConfigMap$/m);
    expect(r.out).toMatch(/^serviceaccounts\s+sa\s+v1\s+true\s+ServiceAccount$/m);
    expect(r.out).toMatch(/^services\s+svc\s+v1\s+true\s+Service$/m);
    const svc = manifest(
      "svc.yaml",
      "apiVersion: v1\nkind: Service\nmetadata: { name: metrics, namespace: kube-system }\nspec:\n  selector: { app: kured }\n  ports: [{ name: metrics, port: 8080, targetPort: metrics }]\n",
    );
    expect((await kubectl("apply", "-f", svc)).out).toBe("service/metrics created\n");
    const get = await kubectl("get", "svc", "-n", "kube-system", "-o", "name");
    expect(get.out).toBe("service/metrics\n");
  });

  it("get prints kube-apiserver's columns for ServiceAccounts, ConfigMaps and Services", async () => {
    const file = manifest(
      "tables.yaml",
      [
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: table-sa, namespace: default }",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: table-cm, namespace: default }\ndata: { a: '1', b: '2' }",
        "apiVersion: v1\nkind: Service\nmetadata: { name: table-svc, namespace: default }\nspec:\n  clusterIP: 10.96.0.42\n  selector: { app: kured }\n  ports: [{ port: 8080, protocol: TCP }]",
      ].join("\n---\n"),
    );
    expect((await kubectl("apply", "-f", file)).code).toBe(0);
    const sa = await kubectl("get", "sa", "table-sa");
    expect(sa.out).toMatch(/^NAME\s+SECRETS\s+AGE\ntable-sa\s+0\s+\S+\n$/);
    const cm = await kubectl("get", "cm", "table-cm");
    expect(cm.out).toMatch(/^NAME\s+DATA\s+AGE\ntable-cm\s+2\s+\S+\n$/);
    const svc = await kubectl("get", "svc", "table-svc", "-o", "wide");
    expect(svc.out).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s+SELECTOR\n/);
    expect(svc.out).toMatch(/table-svc\s+ClusterIP\s+10\.96\.0\.42\s+<none>\s+8080\/TCP\s+\S+\s+app=kured\n$/);
  });

  it("explain reads the served OpenAPI v3 schema", async () => {
    const r = await kubectl("explain", "daemonset.spec.updateStrategy");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/rollingUpdate/);
  });

  it("describe node", async () => {
    const r = await kubectl("describe", "node", "node-2");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Name:\s+node-2$/m);
    expect(r.out).toMatch(/Boot ID:\s+boot-node-2-0/);
    expect(r.out).toMatch(/Non-terminated Pods:\s+\(\d+ in total\)/);
  });
});
