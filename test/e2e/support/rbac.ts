/**
 * RBAC for the e2e tests: kured's shipped manifest, and a second opinion on what it allowed:
 * every list or watch pinned to one name by a `metadata.name` field selector is checked again as
 * kube-apiserver authorizes it (as a request for that name).
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { ApiServer, type AuditEntry } from "@kured/testkit";
import { REPO_ROOT } from "./daemon-entry.js";

/** kured's RBAC manifest, loaded into the server when a test enforces RBAC. */
export const RBAC_MANIFEST = resolve(REPO_ROOT, "deploy/kured-rbac.yaml");

/** The manifest the tests load: KURED_E2E_RBAC_MANIFEST (to try a candidate) or the shipped one. */
export function rbacManifestPath(): string {
  const candidate = process.env.KURED_E2E_RBAC_MANIFEST;
  return candidate ? resolve(REPO_ROOT, candidate) : RBAC_MANIFEST;
}

/** The ServiceAccount kured's manifests run the DaemonSet as. */
export const KURED_SERVICE_ACCOUNT = { namespace: "kube-system", name: "kured" } as const;

/** The user name the ServiceAccount authenticates as. */
export const KURED_USER = `system:serviceaccount:${KURED_SERVICE_ACCOUNT.namespace}:${KURED_SERVICE_ACCOUNT.name}`;

/** The manifest's text (see {@link rbacManifestPath}); a clear error when it is missing. */
export async function readRbacManifest(): Promise<string> {
  const path = rbacManifestPath();
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    throw new Error(`cannot read kured's RBAC manifest ${path}: ${String(e)}`, { cause: e });
  }
}

/** The name a list or watch selects with `fieldSelector=metadata.name=<name>`, if it does. */
export function selectedName(entry: AuditEntry): string | undefined {
  if (entry.verb !== "list" && entry.verb !== "watch") return undefined;
  const selector = new URL(entry.path, "http://x").searchParams.get("fieldSelector") ?? "";
  const terms = selector.split(",").map((t) => /^metadata\.name==?(.+)$/.exec(t.trim()));
  return terms.find((t) => t !== null)?.[1];
}

/** The API group of an audited request, from its path (`/api/v1/…` is the core group ""). */
function apiGroupOf(path: string): string {
  const parts = path.split("?")[0]?.split("/") ?? [];
  return parts[1] === "apis" ? (parts[2] ?? "") : "";
}

/**
 * The audited requests of the kured ServiceAccount that the shipped manifest alone would refuse,
 * as kube-apiserver decides (a list/watch with a metadata.name selector counts as for that name).
 */
export async function deniedByShippedManifest(manifest: string, entries: readonly AuditEntry[]): Promise<AuditEntry[]> {
  // A server object only for its authorizer: it never listens.
  const server = new ApiServer({ rbac: true, rbacManifests: manifest });
  const user = {
    name: KURED_USER,
    groups: [
      "system:serviceaccounts",
      `system:serviceaccounts:${KURED_SERVICE_ACCOUNT.namespace}`,
      "system:authenticated",
    ],
  };
  try {
    return entries.filter(
      (entry) =>
        !server.rbac.authorize({
          user,
          verb: entry.verb,
          resourceRequest: entry.resource !== "",
          apiGroup: apiGroupOf(entry.path),
          resource: entry.resource,
          subresource: entry.subresource,
          namespace: entry.namespace,
          name: entry.name || (selectedName(entry) ?? ""),
          path: entry.path.split("?")[0] ?? entry.path,
        }),
    );
  } finally {
    await server.close().catch(() => undefined);
  }
}
