import { KuredError, type Problem } from "../errors/kured-error.js";
import { redactText } from "../log/redact.js";
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

/**
 * Turns flags and `KURED_*` variables into typed values: the command line wins over the
 * environment, which wins over the default. Every problem is collected, then reported at once
 * as one KuredError (KURED_ERR_CONFIG_INVALID) naming each flag, the value and the fix; given
 * flags whose behaviour is not built yet are then refused with KURED_ERR_NOT_IMPLEMENTED.
 */
export function resolveConfig(table: OptionTable, input: ResolveInput): ResolvedConfig {
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

  for (const plugin of table.plugins) {
    if (!plugin.validate) continue;
    const own = values.get(plugin.id) ?? {};
    for (const p of plugin.validate(own as never)) {
      const entry = table.entries.find((e) => e.pluginId === plugin.id && e.key === p.option);
      if (entry && failed.has(entry.flag)) continue; // already reported on its own
      const subject = !entry
        ? `plugin ${plugin.id}`
        : origins.get(entry.flag) === "env"
          ? `${entry.env} (--${entry.flag})`
          : `--${entry.flag}`;
      const raw = entry ? rawOf(entry, input) : undefined;
      problems.push({
        subject,
        ...(raw === undefined || !entry ? {} : { value: shown(entry, raw) }),
        message: p.message,
        ...(p.fix ? { fix: p.fix } : {}),
      });
    }
  }

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
