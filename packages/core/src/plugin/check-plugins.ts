import semver from "semver";
import { KuredError } from "../errors/kured-error.js";
import { CORE_VERSION } from "../version.js";
import { ID_PATTERN, type KuredPlugin } from "./define-plugin.js";

/** Where a plugin came from, for error messages (`built-in` or the --plugin value). */
export interface PluginOrigin {
  readonly plugin: KuredPlugin;
  readonly source: string;
}

/** Throws KURED_ERR_PLUGIN_INCOMPATIBLE unless `range` admits `coreVersion`. */
export function checkCoreRange(range: unknown, subject: string, coreVersion: string = CORE_VERSION): void {
  const valid = typeof range === "string" ? semver.validRange(range) : null;
  if (valid === null) {
    throw new KuredError(
      "KURED_ERR_PLUGIN_INCOMPATIBLE",
      `${subject}: the supported @kured/core range ${JSON.stringify(range)} is not a semver range; set core to a range such as "^1.0.0"`,
      {
        problems: [
          { subject, value: String(range), message: "not a semver range", fix: 'use a range such as "^1.0.0"' },
        ],
      },
    );
  }
  if (!semver.satisfies(coreVersion, valid, { includePrerelease: true })) {
    const message = `supports @kured/core ${range}, but this kured has @kured/core ${coreVersion}`;
    const fix = `use a version of the plugin built for @kured/core ${coreVersion}, or a kured whose core matches ${range}`;
    throw new KuredError("KURED_ERR_PLUGIN_INCOMPATIBLE", `${subject} ${message}; ${fix}`, {
      problems: [{ subject, value: String(range), message, fix }],
    });
  }
}

/**
 * Checks the plugins' metadata before anything else runs: kebab-case ids
 * (KURED_ERR_PLUGIN_ID_INVALID), a supported core range (KURED_ERR_PLUGIN_INCOMPATIBLE) and unique
 * ids (KURED_ERR_PLUGIN_DUPLICATE).
 */
export function checkPlugins(plugins: readonly PluginOrigin[], coreVersion: string = CORE_VERSION): void {
  const seen = new Map<string, string>();
  for (const { plugin, source } of plugins) {
    const subject = `plugin ${source}`;
    if (typeof plugin.id !== "string" || !ID_PATTERN.test(plugin.id)) {
      throw new KuredError(
        "KURED_ERR_PLUGIN_ID_INVALID",
        `${subject}: id ${JSON.stringify(plugin.id)} is not kebab-case; the plugin's author must use an id such as "maintenance-calendar"`,
        { problems: [{ subject, value: String(plugin.id), message: "id is not kebab-case" }] },
      );
    }
    checkCoreRange(plugin.core, `${subject} (${plugin.id})`, coreVersion);
    const earlier = seen.get(plugin.id);
    if (earlier !== undefined) {
      throw new KuredError(
        "KURED_ERR_PLUGIN_DUPLICATE",
        `${subject}: plugin id ${JSON.stringify(plugin.id)} is already used by ${earlier}; load each plugin once`,
        {
          problems: [
            { subject, value: plugin.id, message: `id already used by ${earlier}`, fix: "load each plugin once" },
          ],
        },
      );
    }
    seen.set(plugin.id, source);
  }
}
