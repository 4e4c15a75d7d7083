import type { OptionEntry, OptionTable } from "./option-table.js";

/** How `--help` describes the program. */
export interface HelpHeader {
  readonly usage: string;
  readonly intro?: string;
}

function flagColumn(entry: OptionEntry): string {
  const type = entry.spec.typeName;
  return `--${entry.flag}${type ? ` ${type}` : ""}`;
}

function describe(entry: OptionEntry): string {
  const parts = [entry.spec.describe];
  if (entry.spec.choices) parts.push(`(one of: ${entry.spec.choices.join(", ")})`);
  if (entry.spec.defaultText !== undefined) parts.push(`(default ${entry.spec.defaultText})`);
  if (entry.spec.required) parts.push("(required)");
  if (!entry.spec.implemented) parts.push("(not implemented yet)");
  parts.push(`[$${entry.env}]`);
  return parts.join(" ");
}

/**
 * Renders `--help`: the options grouped by the plugin that declares them, each with its type,
 * default (pflag style) and environment variable.
 */
export function renderHelp(table: OptionTable, header: HelpHeader): string {
  const width = Math.min(48, Math.max(...table.entries.map((e) => flagColumn(e).length)) + 2);
  const out: string[] = [`Usage: ${header.usage}`];
  if (header.intro) out.push("", header.intro);
  for (const plugin of table.plugins) {
    const entries = table.entries.filter((e) => e.pluginId === plugin.id);
    if (entries.length === 0) continue;
    out.push("", `${plugin.id}${plugin.description ? ` — ${plugin.description}` : ""}:`);
    for (const entry of entries) {
      const flag = flagColumn(entry);
      const pad = flag.length + 2 <= width ? " ".repeat(width - flag.length) : "\n" + " ".repeat(width + 4);
      out.push(`    ${flag}${pad}${describe(entry)}`);
    }
  }
  out.push("", "    -h, --help".padEnd(width + 4) + "show this help");
  out.push("", "The command line wins over KURED_* environment variables, which win over defaults.");
  return out.join("\n") + "\n";
}
