import {
  buildOptionTable,
  createLogger,
  isKuredError,
  PluginHost,
  resolveConfig,
  systemClock,
  type KuredPlugin,
} from "@kured/core";
import { describe, expect, it } from "vitest";
import sentinelPlugin, { CommandSentinelDetector, FileSentinelDetector } from "./index.js";

const plugins = [sentinelPlugin] as KuredPlugin[];
const log = createLogger({ format: "json", level: "silent" });

function configFrom(flags: Record<string, string>) {
  const occurrences = new Map(Object.entries(flags).map(([k, v]) => [k, [v]]));
  return resolveConfig(buildOptionTable(plugins), { occurrences, env: {} });
}

async function detectorsFor(flags: Record<string, string>) {
  const host = await PluginHost.start({
    plugins,
    config: configFrom(flags),
    services: { node: "n1", clock: systemClock, log },
  });
  return { list: host.list("detector"), detectors: host.resolveAll("detector") };
}

function problemsOf(flags: Record<string, string>): string {
  try {
    configFrom(flags);
  } catch (e) {
    if (isKuredError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  return "no problem";
}

describe("the sentinel plugin", () => {
  it("registers the file detector by default, on kured's default path", async () => {
    const { list, detectors } = await detectorsFor({});
    expect(list).toEqual([{ pluginId: "sentinel", kind: "detector", id: "sentinel-file" }]);
    expect(detectors[0]).toBeInstanceOf(FileSentinelDetector);
    expect((detectors[0] as FileSentinelDetector).path).toBe("/var/run/reboot-required");
  });

  it("uses --reboot-sentinel as the file", async () => {
    const { detectors } = await detectorsFor({ "reboot-sentinel": "/sentinel/reboot-required" });
    expect((detectors[0] as FileSentinelDetector).path).toBe("/sentinel/reboot-required");
  });

  it("registers only the command detector when a command is given (the file is ignored)", async () => {
    const { list, detectors } = await detectorsFor({
      "reboot-sentinel": "/sentinel/reboot-required",
      "reboot-sentinel-command": `sh -c "test -f '/var/run/reboot-required'"`,
      "reboot-sentinel-command-timeout": "45s",
    });
    expect(list.map((r) => r.id)).toEqual(["sentinel-command"]);
    const detector = detectors[0] as CommandSentinelDetector;
    expect(detector).toBeInstanceOf(CommandSentinelDetector);
    expect(detector.argv).toEqual(["sh", "-c", "test -f '/var/run/reboot-required'"]);
    expect(detector.timeoutMs).toBe(45_000);
  });

  // [flags, expected problem text]
  const refused: [Record<string, string>, RegExp][] = [
    [
      { "reboot-sentinel-command": "test -f '/x" },
      /--reboot-sentinel-command.*EOF found when expecting closing quote/s,
    ],
    [{ "reboot-sentinel-command": "test -f /x\\" }, /--reboot-sentinel-command.*EOF found after escape character/s],
    [{ "reboot-sentinel-command": "  # nothing to run" }, /--reboot-sentinel-command.*has no words/s],
    [{ "reboot-sentinel": "" }, /--reboot-sentinel.*is empty/s],
    [{ "reboot-sentinel-command-timeout": "0s" }, /--reboot-sentinel-command-timeout/],
  ];

  it.each(refused)("refuses %j at start-up", (flags, problem) => {
    const text = problemsOf(flags);
    expect(text).toMatch(/^KURED_ERR_CONFIG_INVALID/);
    expect(text).toMatch(problem);
  });

  it("declares every flag as implemented", () => {
    for (const spec of Object.values(sentinelPlugin.options ?? {})) expect(spec.implemented).toBe(true);
  });
});
