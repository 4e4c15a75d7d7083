/** Listing a node's pods through the REST client, page by page. */
import { kubeApiFor } from "@kured/core";
import { startCluster, type Cluster } from "@kured/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { listNodePods } from "./node-pods.js";

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe("listNodePods", () => {
  it("follows the continue token across pages and keeps to the node", async () => {
    const c = (cluster = await startCluster({ nodes: 2, inProcess: true, kured: false }));
    for (let i = 0; i < 260; i++) await c.createPod({ name: `p-${i}`, nodeName: "node-1", labels: { app: "a" } });
    await c.createPod({ name: "elsewhere", nodeName: "node-2", labels: { app: "a" } });
    c.server!.audit.clear();
    const pods = await listNodePods(kubeApiFor(c.kubeConfig), "node-1", "app=a", new AbortController().signal);
    expect(pods).toHaveLength(260);
    expect(new Set(pods.map((p) => p.metadata?.name)).size).toBe(260);
    const lists = c.server!.audit.entries({ verb: "list", resource: "pods" });
    expect(lists).toHaveLength(2);
    expect(decodeURIComponent(lists[1]?.path ?? "")).toContain("continue=");
  });
});
