import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createLogger, systemClock, type NodeContext } from "@kured/core";
import { describeDetectorContract } from "@kured/testkit/contracts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileSentinelDetector, type StatPath } from "./file-detector.js";

/** A context whose log lines are kept, to check what was warned about. */
function context(signal = new AbortController().signal): { ctx: NodeContext; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const log = createLogger({ format: "json", level: "debug", destination });
  return { ctx: { node: "node-1", signal, log, clock: systemClock }, lines };
}

const errno =
  (code: string, message: string): StatPath =>
  async () => {
    throw Object.assign(new Error(message), { code });
  };

describe("FileSentinelDetector", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kured-sentinel-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("answers required, naming the file, when the sentinel exists", async () => {
    const path = join(dir, "reboot-required");
    await writeFile(path, "");
    const { ctx } = context();
    expect(await new FileSentinelDetector({ path }).check(ctx)).toEqual({
      required: true,
      reason: { code: "sentinel-file-present", message: `sentinel ${path} present` },
    });
  });

  it("answers not required when the sentinel is absent", async () => {
    const path = join(dir, "reboot-required");
    const { ctx, lines } = context();
    expect(await new FileSentinelDetector({ path }).check(ctx)).toEqual({
      required: false,
      reason: { code: "sentinel-file-absent", message: `sentinel ${path} absent` },
    });
    expect(lines.filter((l) => l.level === "warn")).toEqual([]);
  });

  it("counts existence only, as kured does: an empty or unreadable-content file is present", async () => {
    const path = join(dir, "reboot-required");
    await writeFile(path, "", { mode: 0o000 });
    const { ctx } = context();
    expect((await new FileSentinelDetector({ path }).check(ctx)).required).toBe(true);
  });

  // [what, stat, expected code]
  const failures: [string, StatPath, string][] = [
    [
      "permission denied",
      errno("EACCES", "EACCES: permission denied, stat '/sentinel/reboot-required'"),
      "sentinel-file-unreadable",
    ],
    ["an I/O error", errno("EIO", "EIO: i/o error"), "sentinel-file-unreadable"],
    ["a path through a file (ENOTDIR)", errno("ENOTDIR", "ENOTDIR: not a directory"), "sentinel-file-absent"],
  ];

  it.each(failures)("answers not required with a reason when the lookup fails: %s", async (_what, stat, code) => {
    const { ctx, lines } = context();
    const result = await new FileSentinelDetector({ path: "/sentinel/reboot-required", stat }).check(ctx);
    expect(result.required).toBe(false);
    expect(result.reason?.code).toBe(code);
    if (code === "sentinel-file-unreadable") {
      expect(result.reason?.message).toMatch(/^sentinel \/sentinel\/reboot-required could not be checked: E/);
      expect(lines.some((l) => l.level === "warn" && l.sentinel === "/sentinel/reboot-required")).toBe(true);
    }
  });

  it("answers not required with a reason for a real unreadable path (a symlink loop)", async () => {
    const path = join(dir, "loop");
    await symlink(path, path);
    const { ctx } = context();
    const result = await new FileSentinelDetector({ path }).check(ctx);
    expect(result).toMatchObject({ required: false, reason: { code: "sentinel-file-unreadable" } });
    expect(result.reason?.message).toContain("ELOOP");
  });

  it("warns once when the sentinel's directory is missing (the host's /var/run is not mounted)", async () => {
    const path = join(dir, "not-mounted", "reboot-required");
    const { ctx, lines } = context();
    const detector = new FileSentinelDetector({ path });
    await detector.check(ctx);
    await detector.check(ctx);
    const warnings = lines.filter((l) => l.level === "warn");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain("mount the host's /var/run");
  });

  it("rejects with the signal's reason when already aborted", async () => {
    const why = new Error("stopping");
    const { ctx } = context(AbortSignal.abort(why));
    await expect(new FileSentinelDetector({ path: join(dir, "x") }).check(ctx)).rejects.toBe(why);
  });
});

describeDetectorContract("sentinel-file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "kured-sentinel-contract-"));
  const path = join(dir, "reboot-required");
  return {
    detector: new FileSentinelDetector({ path }),
    makeRequired: () => writeFile(path, ""),
    makeNotRequired: () => rm(path, { force: true }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
