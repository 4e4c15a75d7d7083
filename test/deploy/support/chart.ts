/** Rendering deploy/helm/kured with the real helm 4, and reading the objects it renders. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { helmPath } from "../../support/kube-binaries.js";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const CHART = `${REPO}deploy/helm/kured`;
export const FIXTURES = `${REPO}test/deploy/fixtures`;

export const read = (path: string): string => readFileSync(`${REPO}${path}`, "utf8");

/** A rendered object (the fields the tests read). */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}

/** Runs helm; throws with its stderr when it fails. */
export function helm(args: string[]): string {
  return execFileSync(helmPath(), args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], cwd: REPO });
}

/** `helm template <release> deploy/helm/kured -n <namespace>` with values files and --set values. */
export function template(options: { release?: string; namespace?: string; values?: string[]; set?: string[] }): {
  text: string;
  objects: Manifest[];
} {
  const args = ["template", options.release ?? "kured", CHART, "--namespace", options.namespace ?? "kube-system"];
  for (const file of options.values ?? []) args.push("--values", `${FIXTURES}/${file}`);
  for (const value of options.set ?? []) args.push("--set", value);
  const text = helm(args);
  return { text, objects: parseObjects(text) };
}

export function parseObjects(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`helm rendered invalid YAML: ${doc.errors.join("; ")}`);
      return doc.toJS() as Manifest | null;
    })
    .filter((d): d is Manifest => d !== null);
}

/** The one object of this kind (and name). */
export function one(objects: Manifest[], kind: string, name?: string): Manifest {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ""}, found ${found.length}`);
  }
  return found[0] as Manifest;
}

/** The fields of the kured container that the tests read. */
export interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: Record<string, { fieldPath?: string; name?: string }> }[];
  ports?: { containerPort: number; name?: string }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext?: Record<string, unknown>;
  resources?: Record<string, unknown>;
  livenessProbe?: Record<string, unknown>;
  readinessProbe?: Record<string, unknown>;
}
export interface PodSpec {
  serviceAccountName: string;
  hostPID?: boolean;
  hostNetwork?: boolean;
  restartPolicy?: string;
  priorityClassName?: string;
  imagePullSecrets?: { name: string }[];
  initContainers?: { name: string }[];
  containers: Container[];
  volumes?: { name: string; hostPath?: { path: string; type?: string }; configMap?: { name: string } }[];
  tolerations?: Record<string, string>[];
  nodeSelector?: Record<string, string>;
  affinity?: Record<string, unknown>;
}

export function daemonSet(objects: Manifest[]): {
  ds: Manifest;
  spec: {
    revisionHistoryLimit: number;
    updateStrategy: Record<string, unknown>;
    selector: { matchLabels: Record<string, string> };
  };
  podMeta: { labels: Record<string, string>; annotations?: Record<string, string> };
  pod: PodSpec;
  container: Container;
} {
  const ds = one(objects, "DaemonSet");
  const spec = ds.spec as ReturnType<typeof daemonSet>["spec"] & {
    template: { metadata: ReturnType<typeof daemonSet>["podMeta"]; spec: PodSpec };
  };
  const pod = spec.template.spec;
  const container = pod.containers.find((c) => c.name === "kured");
  if (!container) throw new Error("no container named kured");
  return { ds, spec, podMeta: spec.template.metadata, pod, container };
}

/** The daemon's argv: the command after the program, then args. */
export function argvOf(c: Container): string[] {
  return [...(c.command ?? []).slice(1), ...(c.args ?? [])];
}

/** The container's environment as the kubelet would set it (spec.nodeName → node-1; secrets → a test value). */
export function envOf(c: Container, node = "node-1"): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef?.fieldPath === "spec.nodeName") env[e.name] = node;
    else if (e.valueFrom?.secretKeyRef) env[e.name] = "secret-test-value";
    else throw new Error(`no test value for the variable ${e.name}`);
  }
  return env;
}

/** An RBAC object reduced to what authorizes: kind, namespace, name, rules or roleRef and subjects. */
export function rbacShape(o: Manifest): Record<string, unknown> {
  const shape: Record<string, unknown> = { kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name };
  for (const key of ["rules", "roleRef", "subjects"]) if (o[key] !== undefined) shape[key] = o[key];
  return shape;
}

export const RBAC_KINDS = new Set(["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"]);
