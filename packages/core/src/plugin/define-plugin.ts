import type { Logger } from "../contracts/logger.js";
import type { OptionSpecs, OptionValues } from "./option.js";
import type { PluginRegistry } from "./registry.js";

const PLUGIN_BRAND = Symbol.for("kured.plugin");

/** A plugin id, and the id of every component: kebab-case. */
export const ID_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** What a plugin's `register` receives besides the registry. */
export interface PluginContext<O extends OptionSpecs> {
  /** the plugin's own option values, parsed and validated */
  readonly options: OptionValues<O>;
  /** a child logger bound to `{ plugin: id }` */
  readonly log: Logger;
}

/** A problem found by a plugin's cross-option check, naming the option by its key. */
export interface OptionProblem<K extends string = string> {
  readonly option: K;
  readonly message: string;
  readonly fix?: string;
}

/** What a plugin author writes. */
export interface PluginDefinition<O extends OptionSpecs = OptionSpecs> {
  /** kebab-case, unique among the loaded plugins */
  readonly id: string;
  /** the semver range of @kured/core this plugin supports, e.g. `^1.0.0` */
  readonly core: string;
  /** one line for `--help` */
  readonly description?: string;
  /** the plugin's options; each becomes a flag and a KURED_* variable */
  readonly options?: O;
  /** checks across options (each option's own value is already checked); return every problem */
  validate?(options: OptionValues<O>): readonly OptionProblem<keyof O & string>[];
  /**
   * Checks that need code the plugin loads on demand (`await import()`), so that a feature left
   * unconfigured costs no memory. Run by `loadConfig` together with `validate`; every problem is
   * still reported at once, before anything touches the cluster.
   */
  validateAsync?(options: OptionValues<O>): Promise<readonly OptionProblem<keyof O & string>[]>;
  /** registers the plugin's components; runs after all configuration is valid */
  register(reg: PluginRegistry, ctx: PluginContext<O>): void | Promise<void>;
}

/** A plugin: the default export of a plugin package. */
export type KuredPlugin<O extends OptionSpecs = OptionSpecs> = PluginDefinition<O> & {
  readonly [PLUGIN_BRAND]: true;
};

/** Declares a plugin. Options are typed from the builders, so `register` sees typed values. */
export function definePlugin<O extends OptionSpecs = Record<never, never>>(
  definition: PluginDefinition<O>,
): KuredPlugin<O> {
  return Object.freeze({ ...definition, [PLUGIN_BRAND]: true as const });
}

/** True when `x` was made by `definePlugin` of any copy of @kured/core. */
export function isKuredPlugin(x: unknown): x is KuredPlugin {
  return (
    typeof x === "object" &&
    x !== null &&
    (x as Record<symbol, unknown>)[PLUGIN_BRAND] === true &&
    typeof (x as { register?: unknown }).register === "function"
  );
}
