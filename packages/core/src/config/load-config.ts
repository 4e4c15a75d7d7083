import { KuredError, type Problem } from "../errors/kured-error.js";
import { BUILT_IN, checkPlugins, type PluginOrigin } from "../plugin/check-plugins.js";
import type { KuredPlugin } from "../plugin/define-plugin.js";
import { loadPlugin } from "../plugin/load-plugin.js";
import { parseArgv, type FlagShape, type ParsedArgv } from "./argv.js";
import { buildOptionTable, type OptionTable } from "./option-table.js";
import { resolveConfigAsync, type ResolvedConfig } from "./resolve.js";

/** The result of reading the command line and environment. */
export interface LoadedConfig {
  /** built-in plugins first, then every --plugin, in order */
  readonly plugins: readonly PluginOrigin[];
  readonly table: OptionTable;
  readonly argv: ParsedArgv;
  /** absent when --help was given (values are not checked then) */
  readonly config?: ResolvedConfig;
}

/** Options of `loadConfig`. */
export interface LoadConfigOptions {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** built-in plugins, e.g. core's own and the bundled ones */
  readonly builtins: readonly KuredPlugin[];
  /** where relative --plugin paths and package names are resolved from */
  readonly cwd: string;
  /** check required options such as --node-id */
  readonly enforceRequired?: boolean;
  /** extra flags of a subcommand, resolved together with the plugins' (e.g. `simulate --nodes`) */
  readonly commandPlugin?: KuredPlugin;
  /** the flag that names third-party plugins (core's `--plugin`) */
  readonly pluginFlag?: string;
  /**
   * The commands the words on the command line may spell, e.g. `simulate` or `lock acquire`; any
   * other word is a problem. Absent: no words are allowed.
   */
  readonly commands?: readonly string[];
}

/** Stray words are refused: kured ignored them, so `--force-reboot false` silently forced reboots. */
function positionalProblems(positionals: readonly string[], commands: readonly string[]): Problem[] {
  // the longest command the words start with; the words after it are stray
  const matched = Math.max(
    0,
    ...commands
      .map((c) => c.split(" "))
      .filter((words) => words.every((w, i) => positionals[i] === w))
      .map((w) => w.length),
  );
  return positionals.slice(matched).map((word) => ({
    subject: word,
    message: "unexpected argument (not a flag or command)",
    fix: "write flags as --flag=value (booleans: --flag=false, not --flag false); see kured --help",
  }));
}

function shapes(table: OptionTable): Map<string, FlagShape> {
  return new Map(table.entries.map((e) => [e.flag, { isBoolean: e.spec.isBoolean }]));
}

/**
 * Reads flags and `KURED_*` variables into a validated configuration, without touching the
 * network: load every `--plugin` (checking it before anything else), check all plugins' metadata,
 * merge their options into one command line, then parse and validate every value, reporting all
 * problems at once. Throws KuredError.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const pluginFlag = options.pluginFlag ?? "plugin";
  const builtins: PluginOrigin[] = options.builtins.map((plugin) => ({ plugin, source: BUILT_IN }));
  if (options.commandPlugin) builtins.push({ plugin: options.commandPlugin, source: BUILT_IN });
  await checkPlugins(builtins);
  const builtinTable = buildOptionTable(builtins.map((p) => p.plugin));

  // First pass: only to find --plugin; unknown flags may belong to plugins not loaded yet.
  const first = parseArgv(options.argv, shapes(builtinTable));
  const pluginEntry = builtinTable.byFlag.get(pluginFlag);
  let sources: readonly string[] = [];
  if (pluginEntry) {
    const cli = first.occurrences.get(pluginFlag);
    const env = options.env[pluginEntry.env];
    const raw = cli?.length ? cli : env !== undefined ? [env] : undefined;
    if (raw) {
      try {
        sources = pluginEntry.spec.parse(raw, cli?.length ? "cli" : "env") as readonly string[];
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        throw KuredError.fromProblems("KURED_ERR_CONFIG_INVALID", [
          { subject: `--${pluginFlag}`, value: raw.join(","), message },
        ]);
      }
    }
  }
  const loaded: PluginOrigin[] = [];
  for (const source of sources) {
    const { plugin } = await loadPlugin(source, { cwd: options.cwd });
    loaded.push({ plugin, source });
  }
  const plugins = [...builtins, ...loaded];
  await checkPlugins(plugins);
  const table = buildOptionTable(plugins.map((p) => p.plugin));
  const argv = parseArgv(options.argv, shapes(table));
  if (argv.help) return { plugins, table, argv };
  const config = await resolveConfigAsync(table, {
    occurrences: argv.occurrences,
    env: options.env,
    enforceRequired: options.enforceRequired ?? false,
    earlierProblems: [...argv.problems, ...positionalProblems(argv.positionals, options.commands ?? [])],
  });
  return { plugins, table, argv, config };
}
