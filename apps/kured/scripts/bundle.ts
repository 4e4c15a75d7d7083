// Bundles the built daemon (dist/main.js, from `npm run build`) into dist-bundle/ for the image:
//
//   kured            the image's entry point: `exec node <NODE_FLAGS> kured.mjs "$@"`
//   kured.mjs        turns on V8's compile cache (compile-cache/), then imports main.mjs
//   main.mjs         the program; evaluated at start with the chunks it imports statically
//   chunks/*.mjs     code shared by several commands, or loaded at an import() (on demand)
//   compile-cache/   V8's compiled code of the above, from a warm-up run (`kured simulate`)
//   *.LEGAL.txt      the licence comments of the bundled packages
//   *.map            source maps (node --enable-source-maps); meta.json, start-modules.json: reports
//
// Every dependency is inside, so the image needs Node and nothing from node_modules. Code
// splitting keeps what only some runs use in chunks that load at their dynamic import() instead
// of being parsed and evaluated by every daemon at start; start-modules.json lists what main.mjs
// evaluates at start. Measurements: docs/BENCHMARKS.md.
//
// Usage: node scripts/bundle.ts [--outdir DIR]
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build, type Metafile, type Plugin } from "esbuild";

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(appDir, "../..");

/**
 * Node flags of the shipped entry point, for a daemon that makes a few requests an hour and needs
 * no speed. Measured on the idle daemon (docs/BENCHMARKS.md): V8's optimising compilers
 * (TurboFan, Maglev) and the baseline one (Sparkplug) off, feedback vectors allocated lazily,
 * bytecode of unused functions flushed, and V8's optimise-for-size heuristics: together ~10 MB
 * less, and steadier from run to run. `--liftoff-only` keeps WebAssembly (the HTTP parser of
 * Node's fetch, which only the Prometheus and notification plugins use) on the baseline compiler;
 * `--max-semi-space-size=1` caps the young generation at 1 MB. (`--jitless` would save as much
 * but takes WebAssembly away, and with it fetch.)
 */
export const NODE_FLAGS = [
  "--max-semi-space-size=1",
  "--liftoff-only",
  "--no-opt",
  "--no-maglev",
  "--no-sparkplug",
  "--lazy-feedback-allocation",
  "--flush-bytecode",
  "--optimize-for-size",
] as const;

/**
 * CommonJS dependencies (pino, tsyringe, semver, …) call require() for Node built-ins; in an ESM
 * bundle esbuild routes those calls to a `require` it finds in scope, so each output file gets one.
 * (process.getBuiltinModule rather than an import: see builtinsThroughRequire.)
 */
const REQUIRE_BANNER = 'const require = process.getBuiltinModule("node:module").createRequire(import.meta.url);';

/**
 * Loads Node built-ins with require() where the source imports them. For an ESM import of a
 * built-in, Node builds a namespace from every export, which runs the module's lazy getters:
 * `import { createServer } from "node:http"` evaluates http.WebSocket and so loads Node's internal
 * undici (a plain ESM script that imports node:http is 58 MB resident instead of 45 MB on Node
 * 24.21), `node:tls` parses every root certificate, `node:crypto` sets up WebCrypto. Through a
 * CommonJS facade each property is read when the code uses it.
 */
export const builtinsThroughRequire: Plugin = {
  name: "builtins-through-require",
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_][a-z0-9_/]*$/ }, (args) => {
      if (args.kind !== "import-statement" && args.kind !== "dynamic-import") return undefined;
      if (!isBuiltin(args.path)) return undefined;
      const name = args.path.startsWith("node:") ? args.path : `node:${args.path}`;
      return { path: name, namespace: "builtin-facade", sideEffects: false };
    });
    b.onLoad({ filter: /.*/, namespace: "builtin-facade" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
  },
};

/**
 * testkit's contract suites import vitest; nothing in the daemon or `kured simulate` runs them, so
 * esbuild leaves them out. Should that change, the bundle fails at start with this message instead
 * of silently shipping a test runner.
 */
export const noTestRunner: Plugin = {
  name: "no-test-runner",
  setup(b) {
    b.onResolve({ filter: /^vitest(\/.*)?$/ }, (args) => ({
      path: args.path,
      namespace: "no-test-runner",
      sideEffects: false,
    }));
    b.onLoad({ filter: /.*/, namespace: "no-test-runner" }, (args) => ({
      // CommonJS, so that imported names are looked up when used rather than checked at build time
      contents: `module.exports = (() => { throw new Error(${JSON.stringify(
        `${args.path} was bundled into kured: a test helper is reachable from the program's code`,
      )}); })();`,
      loader: "js",
    }));
  },
};

/**
 * pino without its worker-thread transports, which kured never configures (it logs to a stream
 * it makes itself): `pino/lib/transport.js` (thread-stream, hence node:worker_threads) becomes a
 * function that throws; for pino, pino-pretty and pino-abstract-transport node:worker_threads is
 * what it is on the main thread, where the logger runs (`isMainThread` true, no `parentPort`, no
 * `workerData`); and sonic-boom's one `assert()` is a plain check. node:worker_threads and node:assert
 * then stay unloaded: ~1.5 MB of an idle daemon (docs/BENCHMARKS.md).
 */
export const pinoWithoutWorkers: Plugin = {
  name: "pino-without-workers",
  setup(b) {
    // what each stand-in module exports, by the name it is resolved to
    const stubs: Record<string, string> = {
      worker_threads: "module.exports = { isMainThread: true, parentPort: null, workerData: null };",
      transport: 'module.exports = () => { throw new Error("pino transports are not part of the kured bundle"); };',
      assert: "module.exports = (ok, message) => { if (!ok) throw new Error(message); };",
    };
    const stub = (name: string, importer: string, from: RegExp) =>
      from.test(importer) ? { path: name, namespace: "pino-without-workers" } : undefined;
    b.onResolve({ filter: /^(node:)?worker_threads$/ }, (args) =>
      stub("worker_threads", args.importer, /node_modules\/(pino|pino-pretty|pino-abstract-transport)\//),
    );
    b.onResolve({ filter: /^\.\/(lib\/)?transport$/ }, (args) =>
      stub("transport", args.importer, /node_modules\/pino\/(pino|lib\/tools)\.js$/),
    );
    b.onResolve({ filter: /^(node:)?assert$/ }, (args) =>
      stub("assert", args.importer, /node_modules\/sonic-boom\/index\.js$/),
    );
    b.onLoad({ filter: /.*/, namespace: "pino-without-workers" }, (args) => ({
      contents: stubs[args.path] as string,
      loader: "js",
    }));
  },
};

/** Every identifier-like word in the built JavaScript of the workspace's packages and apps. */
function workspaceWords(): Set<string> {
  const words = new Set<string>();
  const dists = ["packages", "apps"].flatMap((group) =>
    readdirSync(join(repoRoot, group)).map((name) => join(repoRoot, group, name, "dist")),
  );
  for (const dist of dists) {
    let files: string[];
    try {
      files = readdirSync(dist, { recursive: true, encoding: "utf8" });
    } catch {
      continue; // not built: nothing of it can be in the bundle either
    }
    for (const file of files.filter((f) => f.endsWith(".js"))) {
      for (const word of readFileSync(join(dist, file), "utf8").match(/[A-Za-z_$][\w$]*/g) ?? []) words.add(word);
    }
  }
  return words;
}

/**
 * Bundles only the part of @kubernetes/client-node that kured uses. The code loads the library as
 * a whole with `await import()`, so esbuild would keep all ~880 exports (every API group's client,
 * 4 MB, ~13 MB resident once evaluated). In its place goes a module that re-exports the names our
 * built code mentions (`k8s.CoreV1Api`, `const { Watch } = await import(…)`, …), and the
 * library's files are marked free of import side effects so that the rest is dropped. A name the
 * code mentions is always kept; only a computed access such as `k8s[name]` could miss one.
 */
export async function kubeClientSubset(): Promise<{ plugin: Plugin; names: string[] }> {
  const library = (await import("@kubernetes/client-node")) as Record<string, unknown>;
  const words = workspaceWords();
  const names = Object.keys(library)
    .filter((name) => words.has(name))
    .sort();
  const inLibrary = /node_modules\/@kubernetes\/client-node\//;
  const plugin: Plugin = {
    name: "kube-client-subset",
    setup(b) {
      b.onResolve({ filter: /^@kubernetes\/client-node$/ }, (args) =>
        args.namespace === "kube-client-subset" ? undefined : { path: "subset", namespace: "kube-client-subset" },
      );
      b.onLoad({ filter: /.*/, namespace: "kube-client-subset" }, () => ({
        contents: `export { ${names.join(", ")} } from "@kubernetes/client-node";`,
        resolveDir: appDir,
      }));
      // The library is ESM with explicit file names in its relative imports; resolving them here
      // (rather than through esbuild's resolver, one round trip each) keeps the build at ~1 s.
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (!inLibrary.test(args.importer)) return undefined;
        const path = resolve(args.resolveDir, args.path);
        return statSync(path, { throwIfNoEntry: false })?.isFile() ? { path, sideEffects: false } : undefined;
      });
    },
  };
  return { plugin, names };
}

/** The package (or workspace directory) an esbuild input path belongs to. */
export function packageOf(input: string): string {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (inModules) return inModules[1] as string;
  const workspace = /(?:^|\/)(packages|apps)\/([^/]+)\//.exec(input);
  if (workspace) return `${workspace[1]}/${workspace[2]}`;
  if (input.startsWith("dist/")) return "apps/kured";
  return input.replace(/:.*/, ""); // virtual modules: builtin-facade:node:fs → builtin-facade
}

/**
 * The output files loaded when `entry` starts: the entry and, transitively, every chunk it
 * imports statically. Dynamic imports are where loading stops.
 */
export function startOutputs(meta: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of meta.outputs[file]?.imports ?? []) {
      if (imported.kind === "import-statement" && !imported.external) visit(imported.path);
    }
  };
  visit(entry);
  return [...seen];
}

/** Bytes of bundled code per package in the given output files, largest first. */
export function packageBytes(meta: Metafile, outputs: readonly string[]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const file of outputs) {
    for (const [input, { bytesInOutput }] of Object.entries(meta.outputs[file]?.inputs ?? {})) {
      if (bytesInOutput === 0) continue;
      const pkg = packageOf(input);
      sizes.set(pkg, (sizes.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return new Map([...sizes].sort((a, b) => b[1] - a[1]));
}

/** The image's entry point: Node with NODE_FLAGS on kured.mjs next to the (resolved) script. */
function launcher(): string {
  return [
    "#!/bin/sh",
    "# kured's entry point (made by apps/kured/scripts/bundle.ts): Node with flags that keep the",
    "# idle daemon small, see docs/BENCHMARKS.md. exec, so that signals reach Node.",
    'here=$(dirname "$(readlink -f "$0")")',
    `exec node ${NODE_FLAGS.join(" ")} "$here/kured.mjs" "$@"`,
    "",
  ].join("\n");
}

/**
 * kured.mjs: V8's compile cache first, then the program. With the cache, a start skips compiling
 * what the warm-up compiled (~60 ms of the ~310 ms to the first sentinel check, measured). It is
 * turned on here rather than with NODE_COMPILE_CACHE so that commands the daemon runs on the host
 * (the reboot and sentinel commands) do not inherit it. A read-only cache is used as is.
 */
function entryModule(): string {
  return [
    "#!/usr/bin/env node",
    "// kured's bundled entry point (made by apps/kured/scripts/bundle.ts)",
    'const { enableCompileCache } = process.getBuiltinModule("node:module");',
    'const { fileURLToPath } = process.getBuiltinModule("node:url");',
    'enableCompileCache(fileURLToPath(new URL("compile-cache/", import.meta.url)));',
    'await import("./main.mjs");',
    "",
  ].join("\n");
}

/**
 * Runs the bundle once (a one-node `kured simulate` on virtual time), which checks that it works
 * on its own and fills compile-cache/ with what a daemon compiles: the coordinator, the plugins
 * and the Kubernetes client. The image build repeats it where the bundle is installed (the cache
 * is keyed by file path and Node version).
 */
export function warmUp(outdir: string): void {
  const scratch = mkdtempSync(join(tmpdir(), "kured-warm-up-"));
  try {
    const r = spawnSync(
      join(outdir, "kured"),
      ["simulate", "--virtual-time", "--nodes=1", "--json", `--timeline=${join(scratch, "timeline.svg")}`],
      {
        cwd: scratch,
        encoding: "utf8",
        env: { ...process.env, PATH: [dirname(process.execPath), process.env.PATH ?? ""].join(delimiter) },
        timeout: 60_000,
      },
    );
    const summary = r.status === 0 ? (JSON.parse(r.stdout) as { rebooted?: number }) : undefined;
    if (summary?.rebooted !== 1) {
      throw new Error(`the bundle's warm-up run failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

/** Builds the bundle into `outdir` and writes its reports; returns what main.mjs loads at start. */
export async function bundleKured(outdir: string): Promise<{ startPackages: Map<string, number>; meta: Metafile }> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const kube = await kubeClientSubset();
  const result = await build({
    absWorkingDir: appDir,
    entryPoints: { main: "dist/main.js" },
    outdir,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    splitting: true,
    platform: "node",
    target: "node24",
    format: "esm",
    minify: true,
    // class names stay in logs (pino prints an error's type) and stack traces; ~1 MB resident
    keepNames: true,
    sourcemap: "linked",
    legalComments: "linked",
    banner: { js: REQUIRE_BANNER },
    plugins: [pinoWithoutWorkers, builtinsThroughRequire, noTestRunner, kube.plugin],
    metafile: true,
    logLevel: "warning",
  });
  const meta = result.metafile;
  const entry = Object.keys(meta.outputs).find((f) => meta.outputs[f]?.entryPoint === "dist/main.js");
  if (!entry) throw new Error("esbuild produced no output for dist/main.js");
  const atStart = startOutputs(meta, entry);
  const startPackages = packageBytes(meta, atStart);
  const onDemand = packageBytes(
    meta,
    Object.keys(meta.outputs).filter((f) => f.endsWith(".mjs") && !atStart.includes(f)),
  );
  writeFileSync(join(outdir, "kured"), launcher());
  chmodSync(join(outdir, "kured"), 0o755);
  writeFileSync(join(outdir, "kured.mjs"), entryModule());
  chmodSync(join(outdir, "kured.mjs"), 0o755);
  writeFileSync(join(outdir, "meta.json"), JSON.stringify(meta));
  writeFileSync(
    join(outdir, "start-modules.json"),
    JSON.stringify(
      {
        files: atStart.map((f) => relative(outdir, resolve(appDir, f))),
        atStart: Object.fromEntries(startPackages),
        onDemandOnly: Object.fromEntries([...onDemand].filter(([p]) => !startPackages.has(p))),
        kubeClientExports: kube.names,
      },
      null,
      2,
    ) + "\n",
  );
  return { startPackages, meta };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { outdir: { type: "string", default: join(appDir, "dist-bundle") } } });
  const outdir = resolve(values.outdir as string);
  const { startPackages, meta } = await bundleKured(outdir);
  warmUp(outdir);
  const js = Object.entries(meta.outputs).filter(([f]) => f.endsWith(".mjs"));
  const total = js.reduce((n, [, o]) => n + o.bytes, 0);
  const startBytes = [...startPackages.values()].reduce((n, b) => n + b, 0);
  process.stdout.write(
    [
      `kured bundle: ${relative(process.cwd(), join(outdir, "kured"))} (${js.length + 1} JavaScript files, ${kib(total)})`,
      `  evaluated at start of main.mjs: ${kib(startBytes)} — ${[...startPackages.keys()].slice(0, 12).join(", ")}, …`,
      `  warm-up run passed; compile cache in ${relative(process.cwd(), join(outdir, "compile-cache"))}`,
      "",
    ].join("\n"),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
