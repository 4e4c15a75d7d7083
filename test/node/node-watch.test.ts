import { createLogger, kubeApiFor, kubeClients, NodeWatch, systemClock } from "@kured/core";
import { startCluster, type Cluster } from "@kured/testkit";
import { afterEach, describe, expect, it } from "vitest";

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function eventually(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the node watch", () => {
  it("keeps the latest copy of the node, with changes, and forgets it when stopped", async () => {
    cluster = await startCluster({ nodes: ["node-1", "node-2"], inProcess: true });
    const { core, k8s } = await kubeClients(cluster.kubeConfig);
    const watch = new NodeWatch({
      kube: kubeApiFor(cluster.kubeConfig),
      node: "node-1",
      clock: systemClock,
      log: createLogger({ format: "json", level: "silent" }),
    });
    const stop = new AbortController();
    const running = watch.run(stop.signal);
    await eventually(() => watch.current?.metadata?.name === "node-1");
    await core.patchNode(
      { name: "node-1", body: { metadata: { annotations: { "kured.dev/reboot-requested": "yes" } } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    await eventually(() => watch.current?.metadata?.annotations?.["kured.dev/reboot-requested"] === "yes");
    // other nodes' changes never show up
    await core.patchNode(
      { name: "node-2", body: { metadata: { labels: { x: "y" } } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    expect(watch.current?.metadata?.name).toBe("node-1");
    const gets = cluster.server!.audit.count();
    stop.abort();
    await running;
    expect(watch.current).toBeUndefined();
    expect(cluster.server!.audit.count()).toBe(gets);
  });
});
