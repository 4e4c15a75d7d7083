/**
 * The image. apps/kured/Dockerfile (the registry build) cannot be built here, so its inputs are
 * checked: everything it COPYs exists, the bundle it installs is complete after `npm run bundle`,
 * and its warm-up RUN line passes on the bundle. Containerfile.local, the registry-free build
 * (scripts/build-image.sh), is then built with buildah and its entry point run: always under
 * CI=true (missing buildah fails), elsewhere when buildah is installed and we are root.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const app = join(repo, "apps/kured");
const bundle = join(app, "dist-bundle");
const dockerfile = readFileSync(join(app, "Dockerfile"), "utf8");
const local = readFileSync(join(app, "Containerfile.local"), "utf8");
const version = (JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as { version: string }).version;

/** Instructions of a Containerfile: continuation lines joined, comments dropped. */
function instructions(text: string): string[] {
  const lines = text.split("\n").filter((l) => !/^\s*#/.test(l));
  return lines
    .join("\n")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim().replace(/\s+/g, " "))
    .filter((l) => l !== "");
}
const warmUpLine = (text: string): string | undefined =>
  instructions(text).find((l) => l.startsWith("RUN ") && l.includes("kured simulate"));
const last = (text: string, op: string): string | undefined =>
  instructions(text)
    .filter((l) => l.startsWith(`${op} `))
    .at(-1);

describe("the Dockerfile's inputs", () => {
  it("everything the build stage COPYs from the repository exists", () => {
    const copies = instructions(dockerfile).filter((l) => l.startsWith("COPY ") && !l.includes("--from="));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const sources = copy.split(" ").slice(1, -1);
      for (const source of sources) expect(existsSync(join(repo, source)), `${copy}: ${source}`).toBe(true);
    }
  });

  it("the bundle it installs at /opt/kured is complete after npm run bundle", () => {
    const copy = instructions(dockerfile).find((l) => l.startsWith("COPY --from=build "));
    expect(copy).toBe("COPY --from=build /src/apps/kured/dist-bundle/ /opt/kured/");
    if (!existsSync(bundle)) throw new Error("apps/kured/dist-bundle is missing: run npm run bundle");
    for (const file of ["kured", "kured.mjs"]) accessSync(join(bundle, file), constants.X_OK);
    expect(statSync(join(bundle, "main.mjs")).isFile()).toBe(true);
    // every file the launcher and entry module name
    expect(readFileSync(join(bundle, "kured"), "utf8")).toContain('"$here/kured.mjs"');
    expect(readFileSync(join(bundle, "kured.mjs"), "utf8")).toContain('import("./main.mjs")');
  });

  it("its warm-up RUN line passes on the bundle and makes the compile cache", () => {
    const line = warmUpLine(dockerfile);
    expect(line).toBeDefined();
    const args = /\/usr\/bin\/kured (simulate [^&]*?) &&/.exec(line as string)?.[1]?.split(" ");
    expect(args?.[0]).toBe("simulate");
    // on a copy without the cache, so that the shared bundle's cache is not rewritten under other tests
    const scratch = mkdtempSync(join(tmpdir(), "kured-image-test-"));
    const copy = join(scratch, "kured");
    cpSync(bundle, copy, { recursive: true, filter: (src) => !src.startsWith(join(bundle, "compile-cache")) });
    try {
      expect(existsSync(join(copy, "compile-cache"))).toBe(false);
      const r = spawnSync(join(copy, "kured"), args as string[], {
        cwd: scratch,
        encoding: "utf8",
        env: { PATH: [dirname(process.execPath), process.env.PATH ?? ""].join(delimiter) },
        timeout: 60_000,
      });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect((JSON.parse(r.stdout) as { rebooted: number }).rebooted).toBe(1);
      expect(existsSync(join(copy, "compile-cache"))).toBe(true);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("Containerfile.local builds the same image: paths, user, entry point, warm-up", () => {
    expect(warmUpLine(local)).toBe(warmUpLine(dockerfile));
    for (const op of ["ENTRYPOINT", "USER", "WORKDIR"]) expect(last(local, op), op).toBe(last(dockerfile, op));
    expect(last(dockerfile, "ENTRYPOINT")).toBe('ENTRYPOINT ["/usr/bin/kured"]');
    const script = readFileSync(join(app, "scripts/build-image.sh"), "utf8");
    expect(script).toContain('"$root/opt/kured"');
    expect(script).toContain('ln -s /opt/kured/kured "$root/usr/bin/kured"');
    expect(script).toContain("/usr/bin/nsenter");
  });
});

const hasBuildah = spawnSync("buildah", ["--version"]).status === 0;
const isRoot = process.getuid?.() === 0;
const ci = process.env.CI === "true";

describe.skipIf(!ci && !(hasBuildah && isRoot))("the image built without a registry", () => {
  it("builds in one layer and its entry point runs --help and version", () => {
    if (!hasBuildah) throw new Error("buildah is not installed (CI=true): .ci/run installs it");
    const r = spawnSync(join(app, "scripts/build-image.sh"), [], { encoding: "utf8", timeout: 170_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`entry point /usr/bin/kured : --help and version (${version}) run`);
    const tag = `localhost/kured-ts/kured:${version}`;
    const inspect = spawnSync("buildah", ["--storage-driver", "vfs", "inspect", "--type", "image", tag], {
      encoding: "utf8",
    });
    const image = (
      JSON.parse(inspect.stdout) as {
        OCIv1: { config: { Entrypoint: string[]; User?: string }; rootfs: { diff_ids: string[] } };
      }
    ).OCIv1;
    expect(image.config.Entrypoint).toEqual(["/usr/bin/kured"]);
    expect(image.config.User).toBe("root");
    expect(image.rootfs.diff_ids).toHaveLength(1);
    expect(statSync(join(app, "dist-image/kured.oci.tar")).size).toBeGreaterThan(10_000_000);
  }, 180_000);
});
