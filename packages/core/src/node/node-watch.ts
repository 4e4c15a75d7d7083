import type { V1Node } from "@kubernetes/client-node";
import type { Clock } from "../contracts/clock.js";
import type { Logger } from "../contracts/logger.js";
import type { KubeApi } from "../kube/kube-api.js";

/**
 * Keeps the latest copy of this daemon's own Node object from a watch (one long-lived request),
 * so the period loop reads annotations such as `kured.dev/reboot-requested` without a request per
 * period. `current` is undefined whenever the watch is not connected; callers then GET the node.
 */
export class NodeWatch {
  private latest: V1Node | undefined;
  private connected = false;

  constructor(private readonly options: { kube: KubeApi; node: string; clock: Clock; log: Logger }) {}

  /** The node as last seen by a connected watch. */
  get current(): V1Node | undefined {
    return this.connected ? this.latest : undefined;
  }

  /** Watches until `signal` aborts, reconnecting with a growing pause after failures. */
  async run(signal: AbortSignal): Promise<void> {
    const { kube, node, clock } = this.options;
    let pause = 1_000;
    while (!signal.aborted) {
      const ended = await new Promise<unknown>((resolve) => {
        let controller: AbortController | undefined;
        const stop = (): void => controller?.abort();
        signal.addEventListener("abort", stop, { once: true });
        kube
          .watch<V1Node>(
            "/api/v1/nodes",
            { fieldSelector: `metadata.name=${node}` },
            (type: string, obj: V1Node) => {
              if (type === "ADDED" || type === "MODIFIED") {
                this.latest = obj;
                this.connected = true;
                pause = 1_000;
              } else if (type === "DELETED") this.latest = undefined;
            },
            (err: unknown) => {
              this.connected = false;
              signal.removeEventListener("abort", stop);
              resolve(err);
            },
          )
          .then(
            (c) => {
              controller = c;
              if (signal.aborted) c.abort();
            },
            (err: unknown) => {
              this.connected = false;
              signal.removeEventListener("abort", stop);
              resolve(err);
            },
          );
      });
      if (signal.aborted) return;
      if (ended) this.options.log.debug({ err: ended }, "node watch ended, reconnecting");
      try {
        await clock.sleep(pause, signal);
      } catch {
        return;
      }
      pause = Math.min(pause * 2, 60_000);
    }
  }
}
