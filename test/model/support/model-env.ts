/**
 * What every run of the fault model shares: one in-process API server, one virtual clock, the
 * simulated kubelets (for reboots only: the controllers are never started, so no object a run
 * leaves behind costs a later run anything), one REST client and one silent logger. Starting a
 * cluster per run would cost more than the run itself.
 */
import { createLogger, kubeApiFor, type KubeApi, type Logger } from "@kured/core";
import { ClusterSimulator, startApiServer, VirtualClock, type ApiServer } from "@kured/testkit";

export interface ModelEnv {
  readonly server: ApiServer;
  readonly clock: VirtualClock;
  readonly simulator: ClusterSimulator;
  /** the admin's client; every process wraps it in its own kill switch */
  readonly kube: KubeApi;
  readonly log: Logger;
  close(): Promise<void>;
}

export async function startModelEnv(): Promise<ModelEnv> {
  const clock = new VirtualClock();
  const server = await startApiServer({ clock, historyLimit: 20_000 });
  const simulator = new ClusterSimulator(server.registry, clock);
  const log = createLogger({
    format: "json",
    level: (process.env.KURED_TEST_LOG as "info" | undefined) ?? "silent",
  });
  return {
    server,
    clock,
    simulator,
    kube: kubeApiFor(server.toKubeConfig()),
    log,
    close: async () => {
      simulator.stop();
      await server.close();
    },
  };
}
