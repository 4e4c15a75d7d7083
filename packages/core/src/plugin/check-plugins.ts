import type * as Semver from "semver";
import { KuredError } from "../errors/kured-error.js";
import { CORE_VERSION } from "../version.js";
import { ID_PATTERN, type KuredPlugin } from "./define-plugin.js";

/** Where a plugin came from, for error messages (`built-in` or the --plugin value). */
export interface PluginOrigin {
  readonly plugin: KuredPlugin;
  readonly source: string;
}

let semverModule: Promise<typeof Semver> | undefined;

/**
 * semver, loaded for the first third-party plugin: its ~40 regular expressions cost an idle
 * daemon ~3 MB (docs/BENCHMARKS.md), and the built-in plugins need no check.
 */
function loadSemver(): Promise<typeof Semver> {
  // CommonJS: in the bundle, import() gives only its `default` (module.exports)
  semverModule ??= import("semver").then((m) => (m as typeof Semver & { default?: typeof Semver }).default ?? m);
  return semverModule;
}

/** Rejects with KURED_ERR_PLUGIN_INCOMPATIBLE unless `range` admits `coreVersion`. */
export async function checkCoreRange(
  range: unknown,
  subject: string,
  coreVersion: string = CORE_VERSION,
): Promise<void> {
  const semver = await loadSemver();
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

/** The `source` of the plugins built into this kured: they ship with its core, so their range is not checked. */
export const BUILT_IN = "built-in";

/**
 * Checks the plugins' metadata before anything else runs: kebab-case ids
 * (KURED_ERR_PLUGIN_ID_INVALID), a supported core range (KURED_ERR_PLUGIN_INCOMPATIBLE; not for
 * the built-in plugins, which ship with this core and are tested against it) and unique ids
 * (KURED_ERR_PLUGIN_DUPLICATE).
 */
export async function checkPlugins(
  plugins: readonly PluginOrigin[],
  coreVersion: string = CORE_VERSION,
): Promise<void> {
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
    if (source !== BUILT_IN) await checkCoreRange(plugin.core, `${subject} (${plugin.id})`, coreVersion);
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
