/**
 * Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), which
 * `kubectl get` asks for: the columns and cell formats of kube-apiserver's printers.
 */
import type { ResourceType } from "./resources.js";
import { isJsonObject, type KubeObject } from "./types.js";

/** A metav1.TableColumnDefinition. */
export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number;

/** k8s.io/apimachinery duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function col(name: string, type = "string", priority = 0, format = ""): TableColumn {
  return { name, type, format, description: name, priority };
}

function obj(v: unknown): Record<string, unknown> {
  return isJsonObject(v) ? v : {};
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

interface Printer {
  columns: TableColumn[];
  cells(o: KubeObject, age: string): Cell[];
}

const NAME = { ...col("Name", "string", 0, "name"), description: "Name must be unique within a namespace." };
const AGE = col("Age");

function nodeStatus(o: KubeObject): string {
  const ready = arr(obj(o.status).conditions).find((c) => obj(c).type === "Ready");
  let s = ready === undefined ? "Unknown" : obj(ready).status === "True" ? "Ready" : "NotReady";
  if (obj(o.spec).unschedulable === true) s += ",SchedulingDisabled";
  return s;
}

function nodeRoles(o: KubeObject): string {
  const roles = Object.keys(o.metadata?.labels ?? {})
    .filter((k) => k.startsWith("node-role.kubernetes.io/"))
    .map((k) => k.slice("node-role.kubernetes.io/".length))
    .filter((r) => r !== "");
  const kubernetesRole = o.metadata?.labels?.["kubernetes.io/role"];
  if (kubernetesRole) roles.push(kubernetesRole);
  return roles.length === 0 ? "<none>" : roles.sort().join(",");
}

function address(o: KubeObject, type: string): string {
  const a = arr(obj(o.status).addresses).find((x) => obj(x).type === type);
  return a === undefined ? "<none>" : String(obj(a).address);
}

function podReady(o: KubeObject): string {
  const containers = arr(obj(o.spec).containers).length;
  const ready = arr(obj(o.status).containerStatuses).filter((c) => obj(c).ready === true).length;
  return `${ready}/${containers}`;
}

function podStatus(o: KubeObject): string {
  if (o.metadata?.deletionTimestamp) return "Terminating";
  return String(obj(o.status).reason ?? obj(o.status).phase ?? "Unknown");
}

function podRestarts(o: KubeObject): number {
  return arr(obj(o.status).containerStatuses).reduce<number>((n, c) => n + Number(obj(c).restartCount ?? 0), 0);
}

function orNone(v: unknown): string {
  return v === undefined || v === null || v === "" ? "<none>" : String(v);
}

function selectorText(v: unknown): string {
  const labels = obj(v);
  const parts = Object.entries(labels).map(([k, x]) => `${k}=${String(x)}`);
  return parts.length === 0 ? "<none>" : parts.join(",");
}

const PRINTERS: Record<string, Printer> = {
  Node: {
    columns: [
      NAME,
      col("Status"),
      col("Roles"),
      AGE,
      col("Version"),
      col("Internal-IP", "string", 1),
      col("External-IP", "string", 1),
      col("OS-Image", "string", 1),
      col("Kernel-Version", "string", 1),
      col("Container-Runtime", "string", 1),
    ],
    cells: (o, age) => {
      const info = obj(obj(o.status).nodeInfo);
      return [
        o.metadata?.name ?? "",
        nodeStatus(o),
        nodeRoles(o),
        age,
        String(info.kubeletVersion ?? ""),
        address(o, "InternalIP"),
        address(o, "ExternalIP"),
        orNone(info.osImage),
        orNone(info.kernelVersion),
        orNone(info.containerRuntimeVersion),
      ];
    },
  },
  Pod: {
    columns: [
      NAME,
      col("Ready"),
      col("Status"),
      col("Restarts", "string"),
      AGE,
      col("IP", "string", 1),
      col("Node", "string", 1),
      col("Nominated Node", "string", 1),
      col("Readiness Gates", "string", 1),
    ],
    cells: (o, age) => [
      o.metadata?.name ?? "",
      podReady(o),
      podStatus(o),
      String(podRestarts(o)),
      age,
      orNone(obj(o.status).podIP),
      orNone(obj(o.spec).nodeName),
      "<none>",
      "<none>",
    ],
  },
  Namespace: {
    columns: [NAME, col("Status"), AGE],
    cells: (o, age) => [o.metadata?.name ?? "", String(obj(o.status).phase ?? "Active"), age],
  },
  DaemonSet: {
    columns: [
      NAME,
      col("Desired", "integer"),
      col("Current", "integer"),
      col("Ready", "integer"),
      col("Up-to-date", "integer"),
      col("Available", "integer"),
      col("Node Selector"),
      AGE,
    ],
    cells: (o, age) => {
      const s = obj(o.status);
      const nodeSelector = obj(obj(obj(o.spec).template).spec).nodeSelector;
      return [
        o.metadata?.name ?? "",
        Number(s.desiredNumberScheduled ?? 0),
        Number(s.currentNumberScheduled ?? 0),
        Number(s.numberReady ?? 0),
        Number(s.updatedNumberScheduled ?? 0),
        Number(s.numberAvailable ?? 0),
        selectorText(nodeSelector),
        age,
      ];
    },
  },
  Deployment: {
    columns: [NAME, col("Ready"), col("Up-to-date", "integer"), col("Available", "integer"), AGE],
    cells: (o, age) => {
      const s = obj(o.status);
      return [
        o.metadata?.name ?? "",
        `${Number(s.readyReplicas ?? 0)}/${Number(obj(o.spec).replicas ?? 1)}`,
        Number(s.updatedReplicas ?? 0),
        Number(s.availableReplicas ?? 0),
        age,
      ];
    },
  },
  ReplicaSet: {
    columns: [NAME, col("Desired", "integer"), col("Current", "integer"), col("Ready", "integer"), AGE],
    cells: (o, age) => {
      const s = obj(o.status);
      return [
        o.metadata?.name ?? "",
        Number(obj(o.spec).replicas ?? 1),
        Number(s.replicas ?? 0),
        Number(s.readyReplicas ?? 0),
        age,
      ];
    },
  },
  PodDisruptionBudget: {
    columns: [NAME, col("Min Available"), col("Max Unavailable"), col("Allowed Disruptions", "integer"), AGE],
    cells: (o, age) => {
      const spec = obj(o.spec);
      return [
        o.metadata?.name ?? "",
        spec.minAvailable === undefined ? "N/A" : String(spec.minAvailable),
        spec.maxUnavailable === undefined ? "N/A" : String(spec.maxUnavailable),
        Number(obj(o.status).disruptionsAllowed ?? 0),
        age,
      ];
    },
  },
  ServiceAccount: {
    columns: [NAME, col("Secrets", "integer"), AGE],
    cells: (o, age) => [o.metadata?.name ?? "", arr((o as Record<string, unknown>).secrets).length, age],
  },
  ConfigMap: {
    columns: [NAME, col("Data", "integer"), AGE],
    cells: (o, age) => {
      const r = o as Record<string, unknown>;
      return [o.metadata?.name ?? "", Object.keys(obj(r.data)).length + Object.keys(obj(r.binaryData)).length, age];
    },
  },
  Service: {
    columns: [
      NAME,
      col("Type"),
      col("Cluster-IP"),
      col("External-IP"),
      col("Port(s)"),
      AGE,
      col("Selector", "string", 1),
    ],
    cells: (o, age) => {
      const spec = obj(o.spec);
      const ports = arr(spec.ports).map((x) => {
        const port = obj(x);
        const node = port.nodePort === undefined ? "" : `:${String(port.nodePort)}`;
        return `${String(port.port)}${node}/${String(port.protocol ?? "TCP")}`;
      });
      const external = arr(spec.externalIPs).map(String);
      return [
        o.metadata?.name ?? "",
        String(spec.type ?? "ClusterIP"),
        orNone(spec.clusterIP),
        external.length > 0 ? external.join(",") : "<none>",
        ports.length > 0 ? ports.join(",") : "<none>",
        age,
        selectorText(spec.selector),
      ];
    },
  },
  Lease: {
    columns: [NAME, col("Holder"), AGE],
    cells: (o, age) => [o.metadata?.name ?? "", String(obj(o.spec).holderIdentity ?? ""), age],
  },
};

/** Builds a metav1.Table for objects of one type. */
export function toTable(
  type: ResourceType,
  objects: KubeObject[],
  now: Date,
  includeObject: "None" | "Metadata" | "Object",
  listMeta: Record<string, unknown>,
): Record<string, unknown> {
  const printer = PRINTERS[type.kind] ?? {
    columns: [NAME, AGE],
    cells: (o: KubeObject, age: string): Cell[] => [o.metadata?.name ?? "", age],
  };
  const rows = objects.map((o) => {
    const created = o.metadata?.creationTimestamp ? Date.parse(o.metadata.creationTimestamp) : now.getTime();
    const row: Record<string, unknown> = { cells: printer.cells(o, humanDuration(now.getTime() - created)) };
    if (includeObject === "Object") row.object = o;
    else if (includeObject === "Metadata") {
      row.object = { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata ?? {} };
    }
    return row;
  });
  return { kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: listMeta, columnDefinitions: printer.columns, rows };
}
