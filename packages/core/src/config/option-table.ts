import { KuredError, type Problem } from "../errors/kured-error.js";
import type { KuredPlugin } from "../plugin/define-plugin.js";
import { isOptionSpec, type OptionSpec } from "../plugin/option.js";

/** One option of one plugin, with its final flag and variable names. */
export interface OptionEntry {
  readonly pluginId: string;
  /** the key in the plugin's `options` object */
  readonly key: string;
  /** flag name without dashes */
  readonly flag: string;
  readonly env: string;
  readonly spec: OptionSpec<unknown>;
}

/** Every option of every loaded plugin, by flag name, in plugin then declaration order. */
export interface OptionTable {
  readonly entries: readonly OptionEntry[];
  readonly byFlag: ReadonlyMap<string, OptionEntry>;
  readonly plugins: readonly KuredPlugin[];
}

const FLAG_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const ENV_PATTERN = /^[A-Z_][A-Z0-9_]*$/;

/** `dsNamespace` → `ds-namespace`. */
export function flagNameFromKey(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

/** `ds-namespace` → `KURED_DS_NAMESPACE` (kured's rule: prefix, upper case, `-` → `_`). */
export function envNameFromFlag(flag: string): string {
  return `KURED_${flag.toUpperCase().replace(/-/g, "_")}`;
}

/** Flags every command has, which no plugin may declare. */
export const RESERVED_FLAGS: ReadonlySet<string> = new Set(["help", "version"]);

/**
 * Collects the options of all plugins, checking that no two declare the same flag or variable
 * (KURED_ERR_PLUGIN_OPTION_CLASH) and that names are well formed.
 */
export function buildOptionTable(plugins: readonly KuredPlugin[]): OptionTable {
  const entries: OptionEntry[] = [];
  const byFlag = new Map<string, OptionEntry>();
  const byEnv = new Map<string, OptionEntry>();
  const clashes: Problem[] = [];
  const invalid: Problem[] = [];
  for (const plugin of plugins) {
    for (const [key, spec] of Object.entries(plugin.options ?? {})) {
      if (!isOptionSpec(spec)) {
        invalid.push({
          subject: `plugin ${plugin.id}`,
          message: `option ${JSON.stringify(key)} was not made with an option builder`,
          fix: "declare it with option.string(), option.int(), … from @kured/core",
        });
        continue;
      }
      const flag = spec.flag ?? flagNameFromKey(key);
      const env = spec.env ?? envNameFromFlag(flag);
      if (!FLAG_PATTERN.test(flag) || RESERVED_FLAGS.has(flag)) {
        invalid.push({
          subject: `plugin ${plugin.id}`,
          value: flag,
          message: `option ${JSON.stringify(key)} has an invalid or reserved flag name`,
          fix: "use a kebab-case name other than help and version",
        });
        continue;
      }
      if (!ENV_PATTERN.test(env)) {
        invalid.push({ subject: `plugin ${plugin.id}`, value: env, message: `invalid environment variable name` });
        continue;
      }
      const entry: OptionEntry = { pluginId: plugin.id, key, flag, env, spec };
      const other = byFlag.get(flag) ?? byEnv.get(env);
      if (other) {
        clashes.push({
          subject: `--${flag}`,
          message: `declared by both plugin ${other.pluginId} and plugin ${plugin.id}`,
          fix: `rename the option in one of them, or do not load both`,
        });
        continue;
      }
      byFlag.set(flag, entry);
      byEnv.set(env, entry);
      entries.push(entry);
    }
  }
  if (invalid.length) throw KuredError.fromProblems("KURED_ERR_PLUGIN_REGISTER_FAILED", invalid);
  if (clashes.length) throw KuredError.fromProblems("KURED_ERR_PLUGIN_OPTION_CLASH", clashes);
  return { entries, byFlag, plugins };
}
