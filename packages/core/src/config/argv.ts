import { parseArgs } from "node:util";
import type { Problem } from "../errors/kured-error.js";

/** The command line split into flag occurrences and positional words. */
export interface ParsedArgv {
  /** raw values of each flag, one per occurrence, in order (bare booleans give `true`) */
  readonly occurrences: ReadonlyMap<string, readonly string[]>;
  /** words that are not flags, e.g. the subcommand */
  readonly positionals: readonly string[];
  readonly help: boolean;
  /** unknown flags, malformed arguments */
  readonly problems: readonly Problem[];
}

/** What the tokenizer needs to know of each flag. */
export interface FlagShape {
  readonly isBoolean: boolean;
}

/**
 * Reads argv with GNU/pflag conventions: `--flag=value`, `--flag value`, bare booleans,
 * repeated flags, `--` ends the flags; `-h`/`--help`. Values may start with a dash
 * (`--drain-grace-period -1`), as pflag takes the next word whatever it is.
 */
export function parseArgv(argv: readonly string[], flags: ReadonlyMap<string, FlagShape>): ParsedArgv {
  const options: Record<string, { type: "string" | "boolean"; multiple: true; short?: string }> = {
    help: { type: "boolean", multiple: true, short: "h" },
  };
  for (const [name, shape] of flags) options[name] = { type: shape.isBoolean ? "boolean" : "string", multiple: true };
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const occurrences = new Map<string, string[]>();
  const positionals: string[] = [];
  const problems: Problem[] = [];
  let help = false;
  for (const token of tokens) {
    if (token.kind === "positional") {
      positionals.push(token.value);
      continue;
    }
    if (token.kind === "option-terminator") continue;
    const name = token.name;
    if (name === "help") {
      help = true;
      continue;
    }
    const isLong = token.rawName.startsWith("--");
    const shape = isLong ? flags.get(name) : undefined;
    if (!shape) {
      problems.push(unknownFlag(token.rawName, [...flags.keys()]));
      continue;
    }
    let value: string;
    if (token.value !== undefined) value = token.value;
    else if (shape.isBoolean) value = "true";
    else {
      problems.push({
        subject: token.rawName,
        message: "flag needs an argument",
        fix: `write ${token.rawName}=<value>`,
      });
      continue;
    }
    const list = occurrences.get(name) ?? [];
    list.push(value);
    occurrences.set(name, list);
  }
  return { occurrences, positionals, help, problems };
}

function unknownFlag(rawName: string, known: readonly string[]): Problem {
  if (!rawName.startsWith("--")) {
    return {
      subject: rawName,
      message: "unknown shorthand flag",
      fix: "kured's flags are long flags with two dashes, e.g. --period=1h; see kured --help",
    };
  }
  const name = rawName.slice(2);
  const near = closest(name, known);
  return {
    subject: rawName,
    message: "unknown flag",
    fix: near
      ? `did you mean --${near}? See kured --help`
      : "see kured --help for the flags, or load the plugin that declares it with --plugin",
  };
}

/** The known name at the smallest edit distance, if it is close enough to be a likely typo. */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestDistance) {
      bestDistance = d;
      best = k;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}
