/**
 * Discovery documents (/version, /api, /api/v1, /apis, /apis/<group>[/<version>]) in the legacy
 * (unaggregated) form, which kubectl falls back to when the response is plain application/json.
 */
import { apiGroups, apiVersionOf, RESOURCE_TYPES, type ResourceType } from "./resources.js";

/** The version the server reports. */
export const SERVER_VERSION = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.0",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2024-12-11T00:00:00Z",
  goVersion: "go1.23.3",
  compiler: "gc",
  platform: "linux/amd64",
};

function resourceEntries(types: ResourceType[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const t of types) {
    const entry: Record<string, unknown> = {
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
    };
    if (t.shortNames.length > 0) entry.shortNames = t.shortNames;
    if (t.categories) entry.categories = t.categories;
    out.push(entry);
    for (const sub of t.subresources) {
      if (sub === "eviction") {
        out.push({
          name: `${t.resource}/eviction`,
          singularName: "",
          namespaced: t.namespaced,
          group: "policy",
          version: "v1",
          kind: "Eviction",
          verbs: ["create"],
        });
      } else {
        out.push({
          name: `${t.resource}/${sub}`,
          singularName: "",
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: ["get", "patch", "update"],
        });
      }
    }
  }
  return out;
}

/** GET /api. */
export function coreVersions(hostPort: string): Record<string, unknown> {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: hostPort }],
  };
}

/** GET /api/v1 or /apis/<group>/<version>; undefined when not served. */
export function resourceList(group: string, version: string): Record<string, unknown> | undefined {
  const types = RESOURCE_TYPES.filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  const groupVersion = group === "" ? version : `${group}/${version}`;
  const body: Record<string, unknown> = { kind: "APIResourceList", groupVersion, resources: resourceEntries(types) };
  if (group !== "") body.apiVersion = "v1";
  return body;
}

function groupDoc(name: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

/** GET /apis. */
export function groupList(): Record<string, unknown> {
  return { kind: "APIGroupList", apiVersion: "v1", groups: apiGroups().map((g) => groupDoc(g.name, g.versions)) };
}

/** GET /apis/<group>; undefined when not served. */
export function groupDocument(group: string): Record<string, unknown> | undefined {
  const g = apiGroups().find((x) => x.name === group);
  return g ? { kind: "APIGroup", apiVersion: "v1", ...groupDoc(g.name, g.versions) } : undefined;
}

/** `apps/v1` etc. for every served group version. */
export function servedGroupVersions(): string[] {
  return [...new Set(RESOURCE_TYPES.map(apiVersionOf))];
}
