import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));

function kured(args: string[], env: Record<string, string> = {}) {
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build (npm test does)`);
  const r = spawnSync(process.execPath, [main, ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", ...env },
    timeout: 20_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the built kured process", () => {
  it("exits 0 and prints the flags for --help", () => {
    const r = kured(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("--reboot-sentinel string");
    expect(r.stdout).toContain("[$KURED_NODE_ID]");
  });

  it("exits 2 with the error code and the flag on bad input", () => {
    const r = kured(["--node-id=node-a", "--period=0"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("KURED_ERR_CONFIG_INVALID");
    expect(r.stderr).toContain("--period");
  });

  it("exits 2 before contacting anything when there is no cluster to talk to", () => {
    const r = kured([], { KURED_NODE_ID: "node-a" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("KURED_ERR_CONFIG_INVALID");
    expect(r.stderr).toContain("--kubeconfig");
    expect(r.stderr).toContain("not running in a cluster");
  });
});
