import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { KuredError } from "../errors/kured-error.js";
import { CORE_VERSION } from "../version.js";
import { checkCoreRange } from "./check-plugins.js";
import { isKuredPlugin, type KuredPlugin } from "./define-plugin.js";

/** A plugin loaded from a package, with where it came from. */
export interface LoadedPlugin {
  readonly plugin: KuredPlugin;
  /** the --plugin value as given */
  readonly source: string;
  readonly packageName: string;
  readonly packageVersion: string | undefined;
  readonly packageDir: string;
}

interface PackageJson {
  name?: string;
  version?: string;
  main?: string;
  exports?: unknown;
  kured?: { plugin?: boolean };
  peerDependencies?: Record<string, string>;
}

function isPath(specifier: string): boolean {
  return specifier.startsWith(".") || isAbsolute(specifier);
}

/** Finds `node_modules/<name>` from `cwd` upwards, as Node does. */
function findPackageDir(name: string, cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The import entry of a package: `exports["."]` (import/node/default conditions) or `main`. */
function entryOf(pkg: PackageJson, dir: string): string {
  const pick = (x: unknown): string | undefined => {
    if (typeof x === "string") return x;
    if (x && typeof x === "object") {
      const o = x as Record<string, unknown>;
      if ("." in o) return pick(o["."]);
      for (const cond of ["import", "node", "default"]) if (cond in o) return pick(o[cond]);
    }
    return undefined;
  };
  const rel = pick(pkg.exports) ?? pkg.main ?? "index.js";
  return resolve(dir, rel);
}

function fail(
  code: "KURED_ERR_PLUGIN_NOT_FOUND" | "KURED_ERR_PLUGIN_INVALID",
  source: string,
  message: string,
  fix: string,
  cause?: unknown,
): never {
  throw new KuredError(code, `--plugin ${source}: ${message}; ${fix}`, {
    problems: [{ subject: "--plugin", value: source, message, fix }],
    cause,
  });
}

/**
 * Loads a plugin package by path (`./examples/plugin-blocker-file`) or by npm package name
 * (resolved from `cwd`), checking before its code runs that its package.json marks it as a kured
 * plugin and that its `@kured/core` peer range admits this core (KURED_ERR_PLUGIN_INCOMPATIBLE),
 * then importing it and checking its default export.
 */
export async function loadPlugin(
  source: string,
  options: { cwd: string; coreVersion?: string },
): Promise<LoadedPlugin> {
  const coreVersion = options.coreVersion ?? CORE_VERSION;
  const dir = isPath(source) ? resolve(options.cwd, source) : findPackageDir(source, options.cwd);
  if (!dir || !existsSync(dir)) {
    fail(
      "KURED_ERR_PLUGIN_NOT_FOUND",
      source,
      isPath(source) ? `no such directory ${dir}` : `package not found from ${options.cwd}`,
      isPath(source) ? "check the path" : `install it (npm install ${source}) or give its path`,
    );
  }
  if (!statSync(dir).isDirectory() || !existsSync(join(dir, "package.json"))) {
    fail(
      "KURED_ERR_PLUGIN_INVALID",
      source,
      "not a package directory (no package.json)",
      "give the plugin package's directory",
    );
  }
  let pkg: PackageJson;
  try {
    pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
  } catch (e) {
    fail("KURED_ERR_PLUGIN_INVALID", source, "package.json is not valid JSON", "fix the plugin's package.json", e);
  }
  if (pkg.kured?.plugin !== true) {
    fail(
      "KURED_ERR_PLUGIN_INVALID",
      source,
      'package.json does not mark the package as a kured plugin ("kured": { "plugin": true })',
      "check that this is the plugin you meant; a plugin's author adds that marker",
    );
  }
  const peerRange = pkg.peerDependencies?.["@kured/core"];
  if (peerRange !== undefined) await checkCoreRange(peerRange, `plugin ${source} (${pkg.name ?? "?"})`, coreVersion);

  const entry = entryOf(pkg, dir);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(entry).href)) as { default?: unknown };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new KuredError(
      "KURED_ERR_PLUGIN_LOAD_FAILED",
      `--plugin ${source}: importing ${entry} failed: ${why}; is the package built and are its dependencies installed?`,
      { problems: [{ subject: "--plugin", value: source, message: `import failed: ${why}` }], cause: e },
    );
  }
  if (!isKuredPlugin(mod.default)) {
    fail(
      "KURED_ERR_PLUGIN_INVALID",
      source,
      "the package's default export was not made with definePlugin()",
      "a plugin must `export default definePlugin({ … })`",
    );
  }
  return { plugin: mod.default, source, packageName: pkg.name ?? source, packageVersion: pkg.version, packageDir: dir };
}
