import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  corePlugin,
  createLogger,
  isKuredPlugin,
  loadConfig,
  PluginHost,
  systemClock,
  type NodeContext,
  type OptionSpec,
} from "@kured/core";
import { describeBlockerContract } from "@kured/testkit/contracts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import plugin, { BLOCK_FILE_PRESENT, BlockFileBlocker, blockFileOptions } from "./index.js";

const silent = createLogger({ format: "json", level: "silent" });

function context(signal: AbortSignal = new AbortController().signal): NodeContext {
  return { node: "node-1", signal, log: silent, clock: systemClock };
}

/** A fresh directory per test, removed afterwards. */
async function scratch(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "kured-block-file-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

describeBlockerContract("BlockFileBlocker", async () => {
  const { dir, cleanup } = await scratch();
  const path = join(dir, "kured-block");
  return {
    blocker: new BlockFileBlocker({ path }),
    block: () => writeFile(path, "backup running\n"),
    unblock: () => rm(path, { force: true }),
    cleanup,
  };
});

describe("BlockFileBlocker", () => {
  let dir = "";
  let cleanup: () => Promise<void> = async () => {};
  beforeEach(async () => {
    ({ dir, cleanup } = await scratch());
  });
  afterEach(() => cleanup());

  it("lets the reboot through while the file does not exist", async () => {
    const blocker = new BlockFileBlocker({ path: join(dir, "kured-block") });
    expect(await blocker.check(context())).toEqual({ blocked: false });
  });

  it("lets the reboot through when a directory on the path is missing or a file", async () => {
    await writeFile(join(dir, "not-a-dir"), "");
    for (const path of [join(dir, "missing", "kured-block"), join(dir, "not-a-dir", "kured-block")]) {
      expect(await new BlockFileBlocker({ path }).check(context()), path).toEqual({ blocked: false });
    }
  });

  it("blocks while the file exists, naming the file and showing its first line", async () => {
    const path = join(dir, "kured-block");
    await writeFile(path, "backup until 03:00\nsecond line is not shown\n");
    const result = await new BlockFileBlocker({ path }).check(context());
    expect(result.blocked).toBe(true);
    if (!result.blocked) return;
    expect(result.reason.code).toBe(BLOCK_FILE_PRESENT);
    expect(result.reason.message).toMatch(
      /^block file .*kured-block exists \(since \d{4}-\d\d-\d\dT.*\): backup until 03:00$/,
    );
    expect(result.reason.message).toContain(path);
  });

  it("blocks on an empty file, with no note", async () => {
    const path = join(dir, "kured-block");
    await writeFile(path, "");
    const result = await new BlockFileBlocker({ path }).check(context());
    expect(result).toMatchObject({ blocked: true, reason: { code: BLOCK_FILE_PRESENT } });
    if (result.blocked) expect(result.reason.message).toMatch(/\)$/);
  });

  it("keeps the note on one line: control characters become spaces", async () => {
    const path = join(dir, "kured-block");
    await writeFile(path, "db\tmigration\u001b[31m\r\nnext");
    const result = await new BlockFileBlocker({ path }).check(context());
    if (!result.blocked) throw new Error("expected a block");
    expect(result.reason.message).toMatch(/: db migration \[31m$/);
  });

  it("blocks when the path exists as a directory (existence is what counts)", async () => {
    const path = join(dir, "kured-block");
    await mkdir(path);
    expect(await new BlockFileBlocker({ path }).check(context())).toMatchObject({
      blocked: true,
      reason: { code: BLOCK_FILE_PRESENT },
    });
  });

  it("rejects when it cannot tell whether the file exists (kured then blocks)", async () => {
    // a symlink loop fails the look-up with ELOOP, for root too (permissions would not stop root)
    const path = join(dir, "kured-block");
    await symlink(join(dir, "loop"), path);
    await symlink(path, join(dir, "loop"));
    await expect(new BlockFileBlocker({ path }).check(context())).rejects.toThrow(
      /cannot tell whether the block file .*kured-block exists: ELOOP/,
    );
  });

  it("rejects at once when the signal is already aborted", async () => {
    const aborted = AbortSignal.abort(new Error("shutting down"));
    await expect(new BlockFileBlocker({ path: join(dir, "kured-block") }).check(context(aborted))).rejects.toThrow(
      "shutting down",
    );
  });
});

describe("the block-file plugin", () => {
  const spec = blockFileOptions.blockFile as OptionSpec<string>;

  it("is a kured plugin with a kebab-case id for @kured/core ^1.0.0", () => {
    expect(isKuredPlugin(plugin)).toBe(true);
    expect(plugin).toMatchObject({ id: "block-file", core: "^1.0.0" });
  });

  it("declares --block-file as a required string (KURED_BLOCK_FILE derived from the flag)", () => {
    expect(spec).toMatchObject({ kind: "string", required: true });
    expect(spec.flag).toBeUndefined();
    expect(spec.env).toBeUndefined();
  });

  it.each([
    ["/var/run/kured-block", "/var/run/kured-block"],
    ["/host/var/run/kured-block", "/host/var/run/kured-block"],
  ])("accepts the absolute path %s", (raw, value) => {
    expect(spec.parse([raw], "cli")).toBe(value);
  });

  it.each(["kured-block", "./kured-block", ""])("refuses the path %j, asking for an absolute one", (raw) => {
    expect(() => spec.parse([raw], "env")).toThrow(/must be an absolute path/);
  });

  const repoRoot = join(import.meta.dirname, "../../..");

  /** What kured does at start-up: load the plugin by path, read flags and variables, register. */
  async function startKured(argv: string[], env: Record<string, string> = {}) {
    const loaded = await loadConfig({
      argv: ["--node-id", "node-1", "--plugin", "./examples/plugin-blocker-file", ...argv],
      env,
      builtins: [corePlugin],
      cwd: repoRoot,
      enforceRequired: true,
    });
    if (!loaded.config) throw new Error("no configuration");
    return PluginHost.start({
      plugins: loaded.plugins.map((p) => p.plugin),
      config: loaded.config,
      services: { node: "node-1", clock: systemClock, log: silent },
    });
  }

  it("is loaded by kured from its directory and registers the block-file blocker for --block-file", async () => {
    const host = await startKured(["--block-file", "/var/run/kured-block"]);
    expect(host.list("blocker")).toEqual([{ pluginId: "block-file", kind: "blocker", id: "block-file" }]);
    expect(host.resolve("blocker", "block-file")).toMatchObject({ scope: "node", path: "/var/run/kured-block" });
  });

  it("takes the file from KURED_BLOCK_FILE too", async () => {
    const host = await startKured([], { KURED_BLOCK_FILE: "/host/kured-block" });
    expect(host.resolve("blocker", "block-file")).toMatchObject({ path: "/host/kured-block" });
  });

  it("stops kured at start-up without --block-file, naming the flag", async () => {
    await expect(startKured([])).rejects.toMatchObject({
      code: "KURED_ERR_CONFIG_INVALID",
      message: expect.stringContaining("--block-file"),
    });
  });

  it("stops kured at start-up on a relative --block-file", async () => {
    await expect(startKured(["--block-file=kured-block"])).rejects.toMatchObject({
      code: "KURED_ERR_CONFIG_INVALID",
      message: expect.stringMatching(/--block-file.*must be an absolute path/s),
    });
  });

  it("registers nothing when the file is not set and not required (kured simulate)", async () => {
    const registered: string[] = [];
    await plugin.register(
      { blocker: (id: string) => void registered.push(id) } as unknown as Parameters<typeof plugin.register>[0],
      { options: { blockFile: "" }, log: silent },
    );
    expect(registered).toEqual([]);
  });
});
