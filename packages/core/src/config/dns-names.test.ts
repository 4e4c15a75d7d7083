import { describe, expect, it } from "vitest";
import { corePlugin } from "../core-plugin.js";
import { isKuredError } from "../errors/kured-error.js";
import { parseArgv } from "./argv.js";
import { dns1123LabelProblem, dns1123SubdomainProblem } from "./dns-names.js";
import { buildOptionTable } from "./option-table.js";
import { resolveConfig } from "./resolve.js";

describe("DNS-1123 names", () => {
  it.each([
    ["kured", true, true],
    ["kube-system", true, true],
    ["a", true, true],
    ["0kured9", true, true],
    ["kured.v2", false, true],
    ["a.b.c", false, true],
    ["Kured", false, false],
    ["kured_ds", false, false],
    ["-kured", false, false],
    ["kured-", false, false],
    ["kured..v2", false, false],
    [".kured", false, false],
    ["kured.", false, false],
    ["kube system", false, false],
    ["a".repeat(63), true, true],
    ["a".repeat(64), false, true],
    [`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`, false, true],
    [`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}`, false, false],
  ])("%s: label %s, subdomain %s", (name, label, subdomain) => {
    expect(dns1123LabelProblem(name) === undefined).toBe(label);
    expect(dns1123SubdomainProblem(name) === undefined).toBe(subdomain);
  });
});

const table = buildOptionTable([corePlugin]);
const shapes = new Map(table.entries.map((e) => [e.flag, { isBoolean: e.spec.isBoolean }]));

function resolve(argv: string[], env: Record<string, string> = {}): Record<string, unknown> {
  const parsed = parseArgv(argv, shapes);
  const config = resolveConfig(table, { occurrences: parsed.occurrences, env, earlierProblems: parsed.problems });
  return config.values.get("kured") as Record<string, unknown>;
}

function problems(argv: string[], env: Record<string, string> = {}): string {
  try {
    resolve(argv, env);
  } catch (e) {
    if (isKuredError(e) && e.code === "KURED_ERR_CONFIG_INVALID") return e.message;
    throw e;
  }
  throw new Error("accepted");
}

describe("--ds-name, --ds-namespace and --log-format", () => {
  it("accept what can work, from flags and from KURED_* variables", () => {
    expect(resolve(["--ds-name=kured.v2", "--ds-namespace=ops-1", "--log-format=json"])).toMatchObject({
      dsName: "kured.v2",
      dsNamespace: "ops-1",
      logFormat: "json",
    });
    expect(resolve([], { KURED_DS_NAME: "kured-canary", KURED_LOG_FORMAT: "text" })).toMatchObject({
      dsName: "kured-canary",
      logFormat: "text",
    });
  });

  it.each([
    [["--ds-name=Kured"], {}, ['--ds-name="Kured"', "DNS-1123 subdomain", "e.g. kured"]],
    [[], { KURED_DS_NAME: "kured_ds" }, ['KURED_DS_NAME (--ds-name)="kured_ds"', "DNS-1123 subdomain"]],
    [["--ds-namespace=kube.system"], {}, ['--ds-namespace="kube.system"', "DNS-1123 label", "e.g. kube-system"]],
    [[], { KURED_DS_NAMESPACE: "x".repeat(64) }, ["KURED_DS_NAMESPACE (--ds-namespace)", "at most 63"]],
    [["--log-format=xml"], {}, ['--log-format="xml"', "text, json"]],
    [[], { KURED_LOG_FORMAT: "logfmt" }, ['KURED_LOG_FORMAT (--log-format)="logfmt"', "text, json"]],
  ] as const)("refuse %j %j", (argv, env, mentions) => {
    const message = problems([...argv], { ...env });
    for (const m of mentions) expect(message).toContain(m);
  });
});
