/**
 * The shipped manifests (deploy/*.yaml) against the daemon itself: every document parses, the
 * DaemonSets' command lines and environment pass the daemon's own flag validation (and so does
 * every commented example flag), the DaemonSet is where the lock looks for it, the probes and
 * ports match the daemon's endpoint, and the RBAC rules grant every request the daemon makes and
 * nothing with a wildcard or on Secrets.
 */
import { readFileSync } from "node:fs";
import { posix } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig, type LoadedConfig } from "@kured/core";
import { builtinPlugins } from "@kured/kured";
import { ApiServer, type AuthorizationRequest } from "@kured/testkit";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string): string => readFileSync(`${repo}${path}`, "utf8");

/** A parsed manifest object (the fields these tests read). */
type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
};

function documents(path: string): Manifest[] {
  return parseAllDocuments(read(path)).map((doc) => {
    expect(doc.errors, path).toEqual([]);
    return doc.toJS() as Manifest;
  });
}

/** The fields of a DaemonSet's pod that these tests read. */
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports?: { containerPort: number; name?: string }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext?: {
    privileged?: boolean;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
}
interface PodSpec {
  serviceAccountName: string;
  hostPID?: boolean;
  containers: Container[];
  volumes?: { name: string; hostPath?: { path: string } }[];
}

/** The node name the downward API would give KURED_NODE_ID. */
const NODE = "node-1";

function daemonSetOf(path: string): { ds: Manifest; pod: PodSpec; container: Container; docs: Manifest[] } {
  const docs = documents(path);
  const sets = docs.filter((d) => d.kind === "DaemonSet");
  expect(sets).toHaveLength(1);
  const ds = sets[0] as Manifest;
  const pod = (ds.spec as { template: { spec: PodSpec } }).template.spec;
  const container = pod.containers.find((c) => c.name === "kured") as Container;
  expect(container, "a container named kured").toBeDefined();
  return { ds, pod, container, docs };
}

/** The daemon's arguments: the command after the program, then args. */
function daemonArgv(c: Container): string[] {
  return [...(c.command ?? []).slice(1), ...(c.args ?? [])];
}

/** The container's environment as the kubelet would set it (downward API: spec.nodeName). */
function daemonEnv(c: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef?.fieldPath === "spec.nodeName") env[e.name] = NODE;
    else throw new Error(`no test value for the variable ${e.name}`);
  }
  return env;
}

/** The flags after `# - ` in the manifest's comments: the documented examples. */
function exampleFlags(path: string): string[] {
  return [...read(path).matchAll(/^\s*#\s*-\s*(--[a-z0-9-]+(?:=.*)?)$/gm)].map((m) => (m[1] as string).trim());
}

function validate(argv: string[], env: Record<string, string>): Promise<LoadedConfig> {
  return loadConfig({ argv, env, builtins: builtinPlugins, cwd: repo, enforceRequired: true });
}

/** The value a flag resolved to. */
function valueOf(loaded: LoadedConfig, flag: string): unknown {
  const entry = loaded.table.byFlag.get(flag);
  if (!entry || !loaded.config) throw new Error(`no flag --${flag}`);
  return loaded.config.values.get(entry.pluginId)?.[entry.key];
}

/** Flags without an example in the DaemonSets, and why. */
const WITHOUT_EXAMPLE: Record<string, string> = {
  "node-id": "set from KURED_NODE_ID (spec.nodeName)",
  "reboot-sentinel": "set",
  kubeconfig: "in-cluster, the service account is used",
  plugin: "a path inside the image; see docs/plugins.md",
  "metrics-host": "empty (all interfaces) is the right value in a pod",
  "slack-hook-url": "deprecated; --notify-url is shown",
  "prometheus-bearer-token-file": "names a file that must exist (mounted from a Secret)",
  "prometheus-ca-file": "names a file that must exist (mounted from a ConfigMap)",
};

/** Flags whose example only makes sense with another flag's. */
const NEEDS: Record<string, string> = { "prometheus-query": "prometheus-url" };

const DAEMONSETS = {
  "deploy/kured-ds.yaml": { method: "command", privileged: true },
  "deploy/kured-ds-signal.yaml": { method: "signal", privileged: false },
} as const;

describe("every manifest", () => {
  it.each(["deploy/kured-rbac.yaml", ...Object.keys(DAEMONSETS)])("%s parses into Kubernetes objects", (path) => {
    const docs = documents(path);
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) {
      expect(d.apiVersion, path).toMatch(/^([a-z0-9.]+\/)?v1$/);
      expect(d.kind, path).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(d.metadata.name, path).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    }
  });
});

describe.each(Object.entries(DAEMONSETS))("%s", (path, expected) => {
  const { ds, pod, container, docs } = daemonSetOf(path);

  it("passes the daemon's own flag validation, with the node name from the downward API", async () => {
    const loaded = await validate(daemonArgv(container), daemonEnv(container));
    expect(valueOf(loaded, "node-id")).toBe(NODE);
    expect(valueOf(loaded, "reboot-method")).toBe(expected.method);
    // the sentinel is the host's /var/run/reboot-required, seen through the mount
    const sentinel = valueOf(loaded, "reboot-sentinel") as string;
    const mount = container.volumeMounts?.find((m) => sentinel.startsWith(`${m.mountPath}/`));
    expect(mount, `a volume mounted above ${sentinel}`).toBeDefined();
    expect(mount?.readOnly).toBe(true);
    const volume = pod.volumes?.find((v) => v.name === mount?.name);
    expect(posix.join(volume?.hostPath?.path ?? "", posix.basename(sentinel))).toBe("/var/run/reboot-required");
  });

  it("fails validation without KURED_NODE_ID (the check the test above relies on)", async () => {
    await expect(validate(daemonArgv(container), {})).rejects.toMatchObject({ code: "KURED_ERR_CONFIG_INVALID" });
  });

  it("documents every flag with an example that passes validation, alone and all together", async () => {
    const examples = exampleFlags(path);
    const env = daemonEnv(container);
    const flagOf = (arg: string): string => arg.slice(2).split("=")[0] as string;
    for (const example of examples) {
      const needed = NEEDS[flagOf(example)];
      const companions = needed ? examples.filter((e) => flagOf(e) === needed) : [];
      await expect(validate([...daemonArgv(container), ...companions, example], env), example).resolves.toBeDefined();
    }
    await expect(validate([...daemonArgv(container), ...examples], env)).resolves.toBeDefined();
    const shown = new Set([...examples, ...daemonArgv(container)].map(flagOf));
    const loaded = await validate(daemonArgv(container), env);
    const missing = loaded.table.entries
      .map((e) => e.flag)
      .filter((flag) => !shown.has(flag) && !(flag in WITHOUT_EXAMPLE));
    const signalOnly = ["reboot-signal"];
    const commandOnly = ["reboot-command", "reboot-sentinel-command"];
    const notHere = expected.method === "command" ? signalOnly : commandOnly;
    expect(missing.filter((f) => !notHere.includes(f))).toEqual([]);
  });

  it("is the DaemonSet the lock uses: --ds-name and --ds-namespace as the args resolve them", async () => {
    const loaded = await validate(daemonArgv(container), daemonEnv(container));
    expect(ds.metadata.name).toBe(valueOf(loaded, "ds-name"));
    expect(ds.metadata.namespace).toBe(valueOf(loaded, "ds-namespace"));
    // and the defaults are kured's, so the manifests need not pass them
    const defaults = await validate([], { KURED_NODE_ID: NODE });
    expect([valueOf(defaults, "ds-name"), valueOf(defaults, "ds-namespace")]).toEqual(["kured", "kube-system"]);
  });

  it("exposes the metrics port the daemon listens on and probes /healthz there", async () => {
    const loaded = await validate(daemonArgv(container), daemonEnv(container));
    const port = container.ports?.find((p) => p.name === "metrics");
    expect(port?.containerPort).toBe(valueOf(loaded, "metrics-port"));
    for (const probe of [container.livenessProbe, container.readinessProbe]) {
      expect(probe?.httpGet).toEqual({ path: "/healthz", port: "metrics" });
    }
  });

  it("runs the image's entry point as the service account the RBAC binds, with memory sized", () => {
    expect(container.command?.[0]).toBe("/usr/bin/kured");
    expect(read("apps/kured/Dockerfile")).toMatch(/ln -s \/opt\/kured\/kured \/usr\/bin\/kured/);
    expect(pod.serviceAccountName).toBe("kured");
    const sa = docs.find((d) => d.kind === "ServiceAccount");
    expect(sa?.metadata).toEqual({ name: "kured", namespace: ds.metadata.namespace });
    const mib = (q: string | undefined) => Number(/^(\d+)Mi$/.exec(q ?? "")?.[1] ?? NaN);
    const request = mib(container.resources?.requests?.memory);
    expect(request).toBeGreaterThanOrEqual(128); // idle ~90 MiB, draining ~105 MiB (docs/BENCHMARKS.md)
    expect(mib(container.resources?.limits?.memory)).toBeGreaterThanOrEqual(request);
    expect(container.resources?.requests?.cpu).toBeDefined();
  });

  it(`sees the host's PID 1 and is ${expected.privileged ? "privileged (nsenter)" : "unprivileged with CAP_KILL only"}`, () => {
    expect(pod.hostPID).toBe(true);
    const sc = container.securityContext;
    expect(sc?.readOnlyRootFilesystem).toBe(true);
    expect(sc?.privileged).toBe(expected.privileged);
    if (!expected.privileged) {
      expect(sc?.allowPrivilegeEscalation).toBe(false);
      expect(sc?.capabilities).toEqual({ drop: ["ALL"], add: ["KILL"] });
      // nsenter cannot work without privileges (kured #894)
      expect(daemonArgv(container).some((a) => a.startsWith("--reboot-sentinel-command"))).toBe(false);
    }
  });
});

describe("deploy/kured-rbac.yaml", () => {
  const rbacText = read("deploy/kured-rbac.yaml");
  const docs = documents("deploy/kured-rbac.yaml");
  const server = new ApiServer({ rbac: true, rbacManifests: rbacText });
  const user = { name: "system:serviceaccount:kube-system:kured", groups: ["system:serviceaccounts"] };
  const allowed = (r: Partial<AuthorizationRequest> & Pick<AuthorizationRequest, "verb" | "resource">): boolean =>
    server.rbac.authorize({
      user,
      resourceRequest: true,
      apiGroup: "",
      subresource: "",
      namespace: "",
      name: "",
      path: "",
      ...r,
    });

  it("has no wildcard and nothing on Secrets", () => {
    const rules = docs.flatMap((d) => (Array.isArray(d.rules) ? (d.rules as Record<string, string[]>[]) : []));
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      for (const field of ["apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"]) {
        for (const value of rule[field] ?? []) expect(value, `${field} of ${JSON.stringify(rule)}`).not.toContain("*");
      }
      expect(rule.resources ?? []).not.toContain("secrets");
    }
  });

  it("binds every role to the DaemonSets' service account and to nothing else", () => {
    const bindings = docs.filter((d) => d.kind.endsWith("Binding"));
    expect(bindings.map((b) => `${b.kind}/${b.metadata.namespace ?? ""}/${b.metadata.name}`)).toHaveLength(
      docs.filter((d) => d.kind === "Role" || d.kind === "ClusterRole").length,
    );
    for (const b of bindings) {
      expect(b.subjects).toEqual([{ kind: "ServiceAccount", name: "kured", namespace: "kube-system" }]);
    }
  });

  // Every request the daemon makes (core, the lock backends, the sentinel, drain and Events),
  // as the API server's authorizer sees it. Names: the node, a pod, the lock's DaemonSet.
  const NEEDED: [string, Partial<AuthorizationRequest> & Pick<AuthorizationRequest, "verb" | "resource">][] = [
    ["read its Node", { verb: "get", resource: "nodes", name: NODE }],
    ["cordon, label, annotate and taint its Node", { verb: "patch", resource: "nodes", name: NODE }],
    ["watch its Node", { verb: "watch", resource: "nodes", name: NODE }],
    ["list its Node", { verb: "list", resource: "nodes", name: NODE }],
    ["list the pods on its Node (drain, pod blocker)", { verb: "list", resource: "pods" }],
    ["read a pod it drains", { verb: "get", resource: "pods", namespace: "apps", name: "web-1" }],
    ["evict a pod", { verb: "create", resource: "pods", subresource: "eviction", namespace: "apps", name: "web-1" }],
    [
      "list the budgets of a pod's namespace",
      { verb: "list", apiGroup: "policy", resource: "poddisruptionbudgets", namespace: "apps" },
    ],
    ...(["get", "list", "watch", "patch", "update"] as const).map(
      (verb) =>
        [
          `${verb} the lock's DaemonSet`,
          { verb, apiGroup: "apps", resource: "daemonsets", namespace: "kube-system", name: "kured" },
        ] as [string, Partial<AuthorizationRequest> & Pick<AuthorizationRequest, "verb" | "resource">],
    ),
    ...(["get", "list", "watch", "update"] as const).map(
      (verb) =>
        [
          `${verb} a lock Lease`,
          {
            verb,
            apiGroup: "coordination.k8s.io",
            resource: "leases",
            namespace: "kube-system",
            name: "kured-lock-0",
          },
        ] as [string, Partial<AuthorizationRequest> & Pick<AuthorizationRequest, "verb" | "resource">],
    ),
    [
      "create a lock Lease",
      { verb: "create", apiGroup: "coordination.k8s.io", resource: "leases", namespace: "kube-system" },
    ],
    ["create an Event on its Node", { verb: "create", resource: "events", namespace: "default" }],
    ["count a repeated Event", { verb: "patch", resource: "events", namespace: "default", name: "node-1.kured-x" }],
  ];

  it.each(NEEDED)("lets the daemon %s", (_what, request) => {
    expect(allowed(request)).toBe(true);
  });

  const REFUSED: typeof NEEDED = [
    ["read a Secret", { verb: "get", resource: "secrets", namespace: "kube-system", name: "anything" }],
    ["delete a Node", { verb: "delete", resource: "nodes", name: NODE }],
    [
      "write another DaemonSet",
      { verb: "patch", apiGroup: "apps", resource: "daemonsets", namespace: "kube-system", name: "kube-proxy" },
    ],
    [
      "write a DaemonSet named kured elsewhere",
      { verb: "patch", apiGroup: "apps", resource: "daemonsets", namespace: "default", name: "kured" },
    ],
    ["create Events outside default", { verb: "create", resource: "events", namespace: "kube-system" }],
    [
      "touch Leases outside kube-system",
      { verb: "update", apiGroup: "coordination.k8s.io", resource: "leases", namespace: "kube-node-lease" },
    ],
  ];

  it.each(REFUSED)("does not let the daemon %s", (_what, request) => {
    expect(allowed(request)).toBe(false);
  });
});
