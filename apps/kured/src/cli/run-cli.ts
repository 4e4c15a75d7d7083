import {
  assembleDaemon,
  createLogger,
  isKuredError,
  KuredError,
  loadConfig,
  PluginHost,
  redactText,
  renderHelp,
  startHttpEndpoint,
  systemClock,
  Tokens,
  type LoadedConfig,
} from "@kured/core";
import { loadKube } from "../kube-config.js";
import { simulatePlugin } from "../simulate/simulate-plugin.js";
import { lockPlugin, statusPlugin } from "../commands/command-plugins.js";
import { builtinPlugins } from "../builtins.js";
import { KURED_VERSION } from "../version.js";
import { apiKuredError } from "./api-failure.js";
import type { CliIo } from "./io.js";

/** The subcommands, and whether the daemon's required flags apply. */
const COMMANDS = {
  run: "run the reboot daemon on this node (the default)",
  simulate: "preview a rolling reboot on an in-process cluster",
  status: "show the lock, queued nodes and pending reboots of a cluster",
  lock: "take, release or show the lock by hand",
  version: "print the version",
} as const;

type Command = keyof typeof COMMANDS;

const USAGE = "kured [run|simulate|status|lock acquire|lock release|lock status|version] [flags]";

/** Every word sequence the command line may start with. */
const COMMAND_WORDS = [...Object.keys(COMMANDS), "lock acquire", "lock release", "lock status"];

/** The flags each command adds to the daemon's. */
const COMMAND_PLUGINS = { simulate: simulatePlugin, status: statusPlugin, lock: lockPlugin } as const;

function intro(): string {
  const lines = Object.entries(COMMANDS).map(([name, what]) => `    ${name.padEnd(10)}${what}`);
  return [
    "Reboots Kubernetes nodes safely when the OS needs it, one lock slot at a time.",
    "",
    "Commands:",
    ...lines,
  ].join("\n");
}

function writeError(io: CliIo, e: KuredError): void {
  // values in a KuredError's message are redacted where it was made (its fixes may name URL schemes)
  io.stderr.write(`kured: ${e.code}: ${e.message}\n`);
}

/**
 * Runs the kured command line and returns the exit code: 0 on success, 2 on bad input (before
 * anything touches the cluster), 1 on other failures.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    // an API failure is one line (what was asked, the answer, what to do), never a stack trace
    const known = isKuredError(e) ? e : apiKuredError(e);
    if (known) {
      writeError(io, known);
      return known.exitCode;
    }
    io.stderr.write(
      `kured: KURED_ERR_INTERNAL: unexpected error: ${redactText(e instanceof Error ? (e.stack ?? e.message) : String(e))}\n`,
    );
    return 1;
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const first = argv.find((a) => !a.startsWith("-"));
  const command: Command = first !== undefined && first in COMMANDS ? (first as Command) : "run";
  const loaded = await loadConfig({
    argv,
    env: io.env,
    builtins: builtinPlugins,
    cwd: io.cwd,
    enforceRequired: command === "run",
    commands: COMMAND_WORDS,
    ...(command in COMMAND_PLUGINS ? { commandPlugin: COMMAND_PLUGINS[command as keyof typeof COMMAND_PLUGINS] } : {}),
  });
  if (loaded.argv.help) {
    io.stdout.write(renderHelp(loaded.table, { usage: USAGE, intro: intro() }));
    return 0;
  }
  switch (command) {
    case "version":
      io.stdout.write(`${KURED_VERSION}\n`);
      return 0;
    case "run":
      return runDaemon(loaded, io);
    // Loaded only when used: simulate brings the in-process cluster, the others the status code.
    case "simulate":
      return (await import("../simulate/run-simulate.js")).runSimulate(loaded, io);
    case "status":
      return (await import("../commands/status-command.js")).runStatusCommand(loaded, io);
    case "lock": {
      const words = loaded.argv.positionals;
      return (await import("../commands/lock-command.js")).runLockCommand(words[1] ?? "status", loaded, io);
    }
  }
}

/** The core options the daemon reads itself. */
interface DaemonFlags {
  readonly nodeId: string;
  readonly logFormat: string;
  readonly kubeconfig: string;
  readonly metricsHost: string;
  readonly metricsPort: number;
  readonly rebootMethod: string;
  readonly rebootCommand: string;
  readonly rebootSignal: number;
  readonly period: number;
  readonly concurrency: number;
  readonly preRebootNodeLabels: readonly { key: string }[];
  readonly postRebootNodeLabels: readonly { key: string }[];
}

/**
 * kured's start-up warning when the labels set before a reboot and after it have different keys:
 * a key only set before stays on the node with its "rebooting" value; one only set after was never
 * set before. Undefined when the keys match.
 */
function labelKeyMismatch(
  flags: Pick<DaemonFlags, "preRebootNodeLabels" | "postRebootNodeLabels">,
): string | undefined {
  const pre = new Set(flags.preRebootNodeLabels.map((l) => l.key));
  const post = new Set(flags.postRebootNodeLabels.map((l) => l.key));
  const onlyPre = [...pre].filter((k) => !post.has(k)).sort();
  const onlyPost = [...post].filter((k) => !pre.has(k)).sort();
  if (onlyPre.length === 0 && onlyPost.length === 0) return undefined;
  const parts = [
    ...(onlyPre.length ? [`only in --pre-reboot-node-labels: ${onlyPre.join(", ")}`] : []),
    ...(onlyPost.length ? [`only in --post-reboot-node-labels: ${onlyPost.join(", ")}`] : []),
  ];
  return (
    `--pre-reboot-node-labels and --post-reboot-node-labels set different label keys (${parts.join("; ")}); ` +
    "a label set before the reboot keeps its value after it unless --post-reboot-node-labels sets the same key"
  );
}

async function runDaemon(loaded: LoadedConfig, io: CliIo): Promise<number> {
  const config = loaded.config;
  if (!config) throw new KuredError("KURED_ERR_INTERNAL", "configuration missing after validation");
  const flags = config.values.get("kured") as unknown as DaemonFlags;
  const log = createLogger({
    format: flags.logFormat === "json" ? "json" : "text",
    destination: io.stderr,
    base: { node: flags.nodeId },
  });
  log.info(`Kubernetes Reboot Daemon: ${KURED_VERSION}`);
  log.info(`Node ID: ${flags.nodeId}`);
  const mismatch = labelKeyMismatch(flags);
  if (mismatch) log.warn(mismatch);
  log.info(`Reboot method: ${flags.rebootMethod}`);
  if (flags.rebootMethod === "command") log.info(`Reboot command: ${flags.rebootCommand}`);
  else log.info(`Reboot signal: ${flags.rebootSignal}`);
  const kube = await loadKube(flags.kubeconfig, io.env);
  const host = await PluginHost.start({
    plugins: loaded.plugins.map((p) => p.plugin),
    config,
    services: { node: flags.nodeId, clock: systemClock, log, extra: new Map([[Tokens.Kube, kube]]) },
  });
  const daemon = await assembleDaemon({ host, config, kube, clock: systemClock, log });
  let alive = true;
  const endpoint = await startHttpEndpoint({
    host: flags.metricsHost,
    port: flags.metricsPort,
    routes: host.resolveAll("httpRoute"),
    log,
    healthy: () => alive,
  });
  try {
    await daemon.run(io.signal ?? new AbortController().signal);
  } finally {
    alive = false;
    await endpoint.close();
  }
  log.info("Stopped");
  return 0;
}
