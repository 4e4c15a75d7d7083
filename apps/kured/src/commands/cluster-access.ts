import {
  createLogger,
  hasManualControl,
  KuredError,
  PluginHost,
  systemClock,
  Tokens,
  type KubeApi,
  type LoadedConfig,
  type LockBackend,
  type ManualLockControl,
} from "@kured/core";
import type { CliIo } from "../cli/io.js";
import { loadKube } from "../kube-config.js";

/** What the operator commands work with: the cluster and the configured lock backend. */
export interface ClusterAccess {
  readonly kube: KubeApi;
  readonly lock: LockBackend & ManualLockControl;
}

/**
 * Connects the operator commands to the cluster and to the lock the daemons use, chosen by the
 * same flags (`--lock-backend`, `--ds-namespace`, `--ds-name`, `--lock-annotation`, `--concurrency`).
 */
export async function clusterAccess(loaded: LoadedConfig, io: CliIo): Promise<ClusterAccess> {
  const config = loaded.config;
  if (!config) throw new KuredError("KURED_ERR_INTERNAL", "configuration missing after validation");
  const core = config.values.get("kured") as { kubeconfig: string; lockBackend: string };
  const kube = await loadKube(core.kubeconfig, io.env);
  const log = createLogger({ format: "text", level: "warn", destination: io.stderr });
  const values = new Map(config.values);
  values.set("kured", { ...(config.values.get("kured") ?? {}), nodeId: "kured-cli" });
  const host = await PluginHost.start({
    plugins: loaded.plugins.map((p) => p.plugin),
    config: { ...config, values },
    services: { node: "kured-cli", clock: systemClock, log, extra: new Map([[Tokens.Kube, kube]]) },
  });
  const lock = host.resolve("lockBackend", core.lockBackend);
  if (!hasManualControl(lock)) {
    throw new KuredError(
      "KURED_ERR_COMPONENT_MISSING",
      `the ${core.lockBackend} lock backend cannot be taken or released by hand; use --lock-backend=daemonset or lease`,
    );
  }
  return { kube, lock };
}
