import { corePlugin, type KuredPlugin } from "@kured/core";
import drainPlugin from "@kured/plugin-drain";
import notifyPlugin from "@kured/plugin-notify";
import prometheusPlugin from "@kured/plugin-prometheus";
import sentinelPlugin from "@kured/plugin-sentinel";

/** The plugins every kured has, in the order their flags appear in --help. */
export const builtinPlugins: readonly KuredPlugin[] = [
  corePlugin,
  sentinelPlugin,
  drainPlugin,
  prometheusPlugin,
  notifyPlugin,
] as KuredPlugin[];
