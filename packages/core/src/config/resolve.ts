import { KuredError, type Problem } from "../errors/kured-error.js";
import { redactText } from "../log/redact.js";
import type { OptionProblem } from "../plugin/define-plugin.js";
import { OptionValueError } from "../plugin/option.js";
import type { OptionEntry, OptionTable } from "./option-table.js";

/** Where an option's value came from. */
export type ValueOrigin = "default" | "cli" | "env";

/** The configuration: every plugin's option values, and where each came from. */
export interface ResolvedConfig {
  /** values by plugin id, then option key */
  readonly values: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** origin by flag name */
  readonly origins: ReadonlyMap<string, ValueOrigin>;
  readonly table: OptionTable;
}

/** Inputs to resolution. */
export interface ResolveInput {
  readonly occurrences: ReadonlyMap<string, readonly string[]>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** check `required` options (the daemon does; `--help` and `kured status` do not) */
  readonly enforceRequired?: boolean;
  /** problems found earlier (unknown flags), reported together with these */
  readonly earlierProblems?: readonly Problem[];
}

/** Shows a raw value in an error, unless the option may hold a secret. */
function shown(entry: OptionEntry, raw: string): string {
  return entry.spec.secret ? "<redacted>" : redactText(raw);
}

/** The values as parsed, before the plugins' own checks. */
interface Parsed {
  readonly values: Map<string, Record<string, unknown>>;
  readonly origins: Map<string, ValueOrigin>;
  /** flags whose value did not parse (their problem is already reported) */
  readonly failed: Set<string>;
  readonly problems: Problem[];
}

function parseValues(table: OptionTable, input: ResolveInput): Parsed {
  const problems: Problem[] = [...(input.earlierProblems ?? [])];
  const values = new Map<string, Record<string, unknown>>();
  const origins = new Map<string, ValueOrigin>();
  const failed = new Set<string>();
  for (const plugin of table.plugins) values.set(plugin.id, {});

  for (const entry of table.entries) {
    const cli = input.occurrences.get(entry.flag);
    const envValue = input.env[entry.env];
    const bucket = values.get(entry.pluginId) as Record<string, unknown>;
    let origin: ValueOrigin = "default";
    let value: unknown = entry.spec.defaultValue;
    try {
      if (cli && cli.length > 0) {
        origin = "cli";
        value = entry.spec.parse(cli, "cli");
      } else if (envValue !== undefined) {
        origin = "env";
        value = entry.spec.parse([envValue], "env");
      }
    } catch (e) {
      const raw = origin === "cli" ? (cli ?? []).join(",") : (envValue ?? "");
      const subject = origin === "cli" ? `--${entry.flag}` : `${entry.env} (--${entry.flag})`;
      problems.push(problemFrom(e, subject, shown(entry, raw)));
      // cross-option checks below still run, on the default in place of the bad value
      failed.add(entry.flag);
      bucket[entry.key] = entry.spec.defaultValue;
      origins.set(entry.flag, origin);
      continue;
    }
    if (origin === "default" && entry.spec.required && input.enforceRequired) {
      problems.push({
        subject: `--${entry.flag}`,
        message: "is required",
        fix: `set --${entry.flag} or ${entry.env}`,
      });
    }
    bucket[entry.key] = value;
    origins.set(entry.flag, origin);
  }
  return { values, origins, failed, problems };
}

/** Adds a plugin's problems (from `validate` or `validateAsync`) to `parsed.problems`, naming each flag. */
function addPluginProblems(
  table: OptionTable,
  input: ResolveInput,
  parsed: Parsed,
  pluginId: string,
  found: readonly OptionProblem[],
): void {
  for (const p of found) {
    const entry = table.entries.find((e) => e.pluginId === pluginId && e.key === p.option);
    if (entry && parsed.failed.has(entry.flag)) continue; // already reported on its own
    const subject = !entry
      ? `plugin ${pluginId}`
      : parsed.origins.get(entry.flag) === "env"
        ? `${entry.env} (--${entry.flag})`
        : `--${entry.flag}`;
    const raw = entry ? rawOf(entry, input) : undefined;
    parsed.problems.push({
      subject,
      ...(raw === undefined || !entry ? {} : { value: shown(entry, raw) }),
      message: p.message,
      ...(p.fix ? { fix: p.fix } : {}),
    });
  }
}

/** Throws the collected problems, then refuses given flags that are not implemented. */
function finish(table: OptionTable, parsed: Parsed): ResolvedConfig {
  const { problems, origins, values } = parsed;
  if (problems.length > 0) throw KuredError.fromProblems("KURED_ERR_CONFIG_INVALID", problems);

  const pending = table.entries.filter((e) => !e.spec.implemented && origins.get(e.flag) !== "default");
  if (pending.length > 0) {
    throw KuredError.fromProblems(
      "KURED_ERR_NOT_IMPLEMENTED",
      pending.map((e) => ({
        subject: `--${e.flag}`,
        message: `is accepted for compatibility with kured, but this build of kured-ts does not implement it yet (plugin ${e.pluginId})`,
        fix: `remove --${e.flag} / ${e.env} for now`,
      })),
    );
  }
  return { values, origins, table };
}

/**
 * Turns flags and `KURED_*` variables into typed values: the command line wins over the
 * environment, which wins over the default. Every problem is collected, then reported at once
 * as one KuredError (KURED_ERR_CONFIG_INVALID) naming each flag, the value and the fix; given
 * flags whose behaviour is not built yet are then refused with KURED_ERR_NOT_IMPLEMENTED.
 * Runs the plugins' `validate`; `validateAsync` needs {@link resolveConfigAsync}.
 */
export function resolveConfig(table: OptionTable, input: ResolveInput): ResolvedConfig {
  const parsed = parseValues(table, input);
  for (const plugin of table.plugins) {
    if (plugin.validate)
      addPluginProblems(table, input, parsed, plugin.id, plugin.validate(parsed.values.get(plugin.id) as never));
  }
  return finish(table, parsed);
}

/**
 * {@link resolveConfig}, also awaiting the plugins' `validateAsync` (checks whose code loads on
 * demand), so that every problem is still reported at once.
 */
export async function resolveConfigAsync(table: OptionTable, input: ResolveInput): Promise<ResolvedConfig> {
  const parsed = parseValues(table, input);
  const found = await Promise.all(
    table.plugins.map(async (plugin) => [
      ...(plugin.validate?.(parsed.values.get(plugin.id) as never) ?? []),
      ...((await plugin.validateAsync?.(parsed.values.get(plugin.id) as never)) ?? []),
    ]),
  );
  table.plugins.forEach((plugin, i) => addPluginProblems(table, input, parsed, plugin.id, found[i] ?? []));
  return finish(table, parsed);
}

function rawOf(entry: OptionEntry, input: ResolveInput): string | undefined {
  const cli = input.occurrences.get(entry.flag);
  if (cli && cli.length) return cli.join(",");
  return input.env[entry.env];
}

function problemFrom(e: unknown, subject: string, value: string): Problem {
  if (e instanceof KuredError && e.problems.length > 0) {
    const first = e.problems[0] as Problem;
    return { subject, value, message: first.message, ...(first.fix ? { fix: first.fix } : {}) };
  }
  if (e instanceof OptionValueError) {
    return { subject, value, message: e.message, ...(e.fix ? { fix: e.fix } : {}) };
  }
  return { subject, value, message: e instanceof Error ? e.message : String(e) };
}
