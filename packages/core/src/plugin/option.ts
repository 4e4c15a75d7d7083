import { parseGoBool, parseGoCsvRecord, parseGoDecimalInt, parseGoDuration, parseGoInt } from "../go/index.js";
import { compileGoRegexp } from "../go/index.js";
import { formatGoDuration } from "../go/index.js";
import { parseLabelAssignment, parseLabelSelector, type LabelSelector } from "../selectors/index.js";

/** Where a value came from; decides a few Go-compatible parsing rules (e.g. ints from env are decimal). */
export type ValueSource = "cli" | "env";

/** Thrown by an option's parser: what is wrong with the value and how to fix it. */
export class OptionValueError extends Error {
  override readonly name = "OptionValueError";
  constructor(
    message: string,
    readonly fix?: string,
  ) {
    super(message);
  }
}

/** How repeated occurrences of a flag combine (pflag semantics). */
export type Multiplicity =
  /** the last occurrence wins */
  | "scalar"
  /** each occurrence is CSV-split; the first use replaces the default, later ones append */
  | "slice"
  /** each occurrence is one element, commas kept */
  | "array";

const OPTION_BRAND = Symbol.for("kured.option");

/** Fields every option builder accepts. */
export interface OptionSettings {
  /** one line for `--help` */
  readonly describe: string;
  /** the flag name without dashes; derived from the option's key (camelCase → kebab-case) if absent */
  readonly flag?: string;
  /** the environment variable; `KURED_` + the flag in upper snake case if absent */
  readonly env?: string;
  /** refuse to start when neither the flag nor the variable gives a value */
  readonly required?: boolean;
  /** the value may hold a secret: never shown in help, logs or errors */
  readonly secret?: boolean;
  /**
   * false while the flag is accepted for compatibility but its behaviour is not built yet: giving
   * it makes the daemon refuse to start with KURED_ERR_NOT_IMPLEMENTED rather than silently do
   * nothing.
   */
  readonly implemented?: boolean;
}

/** A declared option: how to parse it, its default, and how to show it. Made by the `option` builders. */
export interface OptionSpec<T> {
  readonly [OPTION_BRAND]: true;
  /** the builder that made it, e.g. `duration` */
  readonly kind: string;
  /** pflag's type name, shown in `--help` (`string`, `int`, `duration`, `strings`, `stringArray`, …) */
  readonly typeName: string;
  readonly describe: string;
  readonly flag?: string;
  readonly env?: string;
  readonly required: boolean;
  readonly secret: boolean;
  readonly implemented: boolean;
  readonly multiplicity: Multiplicity;
  /** booleans may be given bare (`--force-reboot`) */
  readonly isBoolean: boolean;
  /** the default as the value it stands for */
  readonly defaultValue: T;
  /** the default as `--help` shows it (pflag style), or undefined to show none */
  readonly defaultText: string | undefined;
  /** the allowed values, for enums (shown in help) */
  readonly choices?: readonly string[];
  /**
   * Parses the raw occurrences (one per flag occurrence, or one for an environment variable) into
   * the value. Throws OptionValueError.
   */
  parse(raw: readonly string[], source: ValueSource): T;
}

/** The value type of an option spec. */
export type OptionValue<S> = S extends OptionSpec<infer T> ? T : never;

/** An object of option specs, as a plugin declares them. */
export type OptionSpecs = Readonly<Record<string, OptionSpec<unknown>>>;

/** The typed values of a plugin's options, under the same keys. */
export type OptionValues<O extends OptionSpecs> = { readonly [K in keyof O]: OptionValue<O[K]> };

/** True when `x` is an option spec made by a builder of any copy of @kured/core. */
export function isOptionSpec(x: unknown): x is OptionSpec<unknown> {
  return typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[OPTION_BRAND] === true;
}

/** A value of exactly two quote characters: an uncommented manifest line such as `--notify-url=""`. */
function rejectQuotedEmpty(raw: string): void {
  if (raw === '""' || raw === "''") {
    throw new OptionValueError(
      "the value is two quote characters, not an empty value",
      "remove the flag to keep its default, or give an empty value without quotes (e.g. --flag=)",
    );
  }
}

function last(raw: readonly string[]): string {
  const value = raw[raw.length - 1];
  if (value === undefined) throw new OptionValueError("a value is required");
  return value;
}

interface SpecParts<T> {
  kind: string;
  typeName: string;
  multiplicity?: Multiplicity;
  isBoolean?: boolean;
  defaultValue: T;
  defaultText: string | undefined;
  choices?: readonly string[];
  parseOne?: (raw: string, source: ValueSource) => T;
  parseAll?: (raw: readonly string[], source: ValueSource) => T;
}

function makeSpec<T>(settings: OptionSettings, parts: SpecParts<T>): OptionSpec<T> {
  const { parseOne, parseAll } = parts;
  return {
    [OPTION_BRAND]: true,
    kind: parts.kind,
    typeName: parts.typeName,
    describe: settings.describe,
    ...(settings.flag === undefined ? {} : { flag: settings.flag }),
    ...(settings.env === undefined ? {} : { env: settings.env }),
    required: settings.required ?? false,
    secret: settings.secret ?? false,
    implemented: settings.implemented ?? true,
    multiplicity: parts.multiplicity ?? "scalar",
    isBoolean: parts.isBoolean ?? false,
    defaultValue: parts.defaultValue,
    defaultText: settings.secret ? undefined : parts.defaultText,
    ...(parts.choices ? { choices: parts.choices } : {}),
    parse(raw, source) {
      for (const r of raw) rejectQuotedEmpty(r);
      if (parseAll) return parseAll(raw, source);
      if (parseOne) return parseOne(last(raw), source);
      throw new OptionValueError("option has no parser");
    },
  };
}

const quote = (s: string): string => JSON.stringify(s);

/** Go's error texts start with the package name; keep the reason, drop the prefix. */
function goMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function withGoErrors<T>(fn: () => T, fix: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof OptionValueError) throw e;
    throw new OptionValueError(goMessage(e), fix);
  }
}

/** An extra check of a value: undefined when fine, else what is wrong (and how to fix it). */
export type ValueCheck = (value: string) => string | { readonly message: string; readonly fix?: string } | undefined;

function applyCheck(check: ValueCheck | undefined, value: string, label?: string): void {
  const problem = check?.(value);
  if (problem === undefined) return;
  const { message, fix } = typeof problem === "string" ? { message: problem, fix: undefined } : problem;
  throw new OptionValueError(label === undefined ? message : `${label}: ${message}`, fix);
}

/** Settings of a string option. */
export interface StringSettings extends OptionSettings {
  readonly default?: string;
  /** reject the empty string */
  readonly nonEmpty?: boolean;
  /** extra check of the value */
  readonly check?: ValueCheck;
}

/** Settings of an int option. */
export interface IntSettings extends OptionSettings {
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  /** what to tell the user when the value is out of range */
  readonly rangeFix?: string;
}

/** Settings of a duration option (values in milliseconds). */
export interface DurationSettings extends OptionSettings {
  /** Go duration syntax, e.g. `1h` or `0` */
  readonly default: string;
  /** smallest allowed value in ms (inclusive) */
  readonly min?: number;
  /** reject 0 and negative values */
  readonly positive?: boolean;
}

/** Settings of a list option. */
export interface ListSettings extends OptionSettings {
  readonly default?: readonly string[];
  /** extra check of every element */
  readonly check?: ValueCheck;
}

/** Settings of a URL option. */
export interface UrlSettings extends OptionSettings {
  /** allowed schemes without `:`, e.g. `["http", "https"]`; any if absent */
  readonly schemes?: readonly string[];
}

/** Settings of an enum option. */
export interface EnumSettings<V extends string> extends OptionSettings {
  readonly values: readonly V[];
  readonly default: V;
  /** match values case-insensitively (kured's --reboot-method is case-sensitive) */
  readonly caseInsensitive?: boolean;
}

/** A `key=value` pair of a keyValue list. */
export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

function checkList(values: string[], check: ValueCheck | undefined): string[] {
  for (const v of values) applyCheck(check, v, values.length > 1 ? quote(v) : undefined);
  return values;
}

function formatList(values: readonly string[]): string {
  return `[${values.join(",")}]`;
}

/** Splits a stringSlice the way pflag does: every occurrence is one CSV record. */
function parseSlice(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (const r of raw) {
    out.push(...withGoErrors(() => parseGoCsvRecord(r), "separate values with commas; quote a value that has a comma"));
  }
  return out;
}

/** Splits a stringArray; from the environment one element per line (kured ignores the variable). */
function parseArray(raw: readonly string[], source: ValueSource): string[] {
  if (source === "env") {
    return raw.flatMap((r) =>
      r
        .split("\n")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
    );
  }
  return [...raw];
}

/**
 * The typed option builders a plugin declares its flags with. Each flag gets a `KURED_*`
 * environment variable; the command line wins over the environment.
 */
export const option = {
  /** A string. */
  string(settings: StringSettings): OptionSpec<string> {
    const def = settings.default ?? "";
    return makeSpec(settings, {
      kind: "string",
      typeName: "string",
      defaultValue: def,
      defaultText: def === "" ? undefined : quote(def),
      parseOne(raw) {
        if (settings.nonEmpty && raw.trim() === "") throw new OptionValueError("must not be empty");
        applyCheck(settings.check, raw);
        return raw;
      },
    });
  },

  /** An integer; from the command line with Go base prefixes (`0x10`), from the environment decimal only. */
  int(settings: IntSettings): OptionSpec<number> {
    return makeSpec(settings, {
      kind: "int",
      typeName: "int",
      defaultValue: settings.default,
      defaultText: settings.default === 0 ? undefined : String(settings.default),
      parseOne(raw, source) {
        const n = withGoErrors(
          () => (source === "env" ? parseGoDecimalInt(raw) : parseGoInt(raw)),
          "give a whole number",
        );
        if (settings.min !== undefined && n < settings.min) {
          throw new OptionValueError(`must be at least ${settings.min}`, settings.rangeFix);
        }
        if (settings.max !== undefined && n > settings.max) {
          throw new OptionValueError(`must be at most ${settings.max}`, settings.rangeFix);
        }
        return n;
      },
    });
  },

  /** A boolean (Go ParseBool: 1, t, true, TRUE, True, 0, f, false…); bare `--flag` means true. */
  bool(settings: OptionSettings & { readonly default?: boolean }): OptionSpec<boolean> {
    const def = settings.default ?? false;
    return makeSpec(settings, {
      kind: "bool",
      typeName: "",
      isBoolean: true,
      defaultValue: def,
      defaultText: def ? "true" : undefined,
      parseOne: (raw) => withGoErrors(() => parseGoBool(raw), "use true or false"),
    });
  },

  /** A Go duration (`90s`, `1h30m`, `0`); the value is in milliseconds. */
  duration(settings: DurationSettings): OptionSpec<number> {
    const def = parseGoDuration(settings.default);
    const fix = "use Go duration syntax, e.g. 90s, 30m, 1h30m (a bare number other than 0 needs a unit)";
    return makeSpec(settings, {
      kind: "duration",
      typeName: "duration",
      defaultValue: def,
      defaultText: def === 0 ? undefined : formatGoDuration(def),
      parseOne(raw) {
        const ms = withGoErrors(() => parseGoDuration(raw), fix);
        if (settings.positive && ms <= 0) throw new OptionValueError("must be greater than 0", fix);
        if (settings.min !== undefined && ms < settings.min) {
          throw new OptionValueError(`must be at least ${formatGoDuration(settings.min)}`, fix);
        }
        return ms;
      },
    });
  },

  /** A Go (RE2) regular expression; unset by default. */
  regexp(settings: OptionSettings): OptionSpec<RegExp | undefined> {
    return makeSpec<RegExp | undefined>(settings, {
      kind: "regexp",
      typeName: "regexp",
      defaultValue: undefined,
      defaultText: undefined,
      parseOne: (raw) =>
        withGoErrors(() => compileGoRegexp(raw), "give a valid RE2 regular expression, e.g. ^(Foo|Bar)$"),
    });
  },

  /** An absolute URL; unset when empty. Credentials in it are never shown. */
  url(settings: UrlSettings): OptionSpec<URL | undefined> {
    const schemes = settings.schemes;
    return makeSpec<URL | undefined>(settings, {
      kind: "url",
      typeName: "string",
      defaultValue: undefined,
      defaultText: undefined,
      parseOne(raw) {
        if (raw === "") return undefined;
        const example = `give a URL such as ${schemes?.[0] ?? "https"}://host:port/path`;
        // `user:pw@host` and `host:9090` parse with "user" or "host" as their scheme: say what is
        // missing instead of echoing a part of the value (which may be a user name)
        if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw.trim())) {
          throw new OptionValueError("not an absolute URL (no scheme:// at the start)", example);
        }
        let url: URL;
        try {
          url = new URL(raw);
        } catch {
          throw new OptionValueError("not an absolute URL", example);
        }
        const scheme = url.protocol.replace(/:$/, "");
        if (schemes && !schemes.includes(scheme)) {
          throw new OptionValueError(`unsupported scheme ${quote(scheme)}`, `use ${schemes.join(" or ")}`);
        }
        return url;
      },
    });
  },

  /** A comma-separated list; repeating the flag appends; the first use replaces the default. */
  stringSlice(settings: ListSettings): OptionSpec<readonly string[]> {
    const def = settings.default ?? [];
    return makeSpec<readonly string[]>(settings, {
      kind: "stringSlice",
      typeName: "strings",
      multiplicity: "slice",
      defaultValue: def,
      defaultText: def.length ? formatList(def) : undefined,
      parseAll: (raw) => checkList(parseSlice(raw), settings.check),
    });
  },

  /** A repeatable flag; each occurrence is one element and commas are kept. */
  stringArray(settings: ListSettings): OptionSpec<readonly string[]> {
    const def = settings.default ?? [];
    return makeSpec<readonly string[]>(settings, {
      kind: "stringArray",
      typeName: "stringArray",
      multiplicity: "array",
      defaultValue: def,
      defaultText: def.length ? formatList(def) : undefined,
      parseAll: (raw, source) => checkList(parseArray(raw, source), settings.check),
    });
  },

  /** One of a fixed set of values. */
  enum<V extends string>(settings: EnumSettings<V>): OptionSpec<V> {
    return makeSpec<V>(settings, {
      kind: "enum",
      typeName: "string",
      defaultValue: settings.default,
      defaultText: quote(settings.default),
      choices: settings.values,
      parseOne(raw) {
        const found = settings.values.find((v) =>
          settings.caseInsensitive ? v.toLowerCase() === raw.toLowerCase() : v === raw,
        );
        if (found === undefined) {
          throw new OptionValueError(`unknown value`, `use one of: ${settings.values.join(", ")}`);
        }
        return found;
      },
    });
  },

  /** A Kubernetes label selector (`app=x,tier!=db`); empty selects everything. */
  labelSelector(settings: OptionSettings & { readonly default?: string }): OptionSpec<LabelSelector> {
    const def = settings.default ?? "";
    return makeSpec<LabelSelector>(settings, {
      kind: "labelSelector",
      typeName: "string",
      defaultValue: parseLabelSelector(def),
      defaultText: def === "" ? undefined : quote(def),
      parseOne: (raw) =>
        withGoErrors(() => parseLabelSelector(raw), "give a label selector such as app=web,tier in (a,b)"),
    });
  },

  /** A repeatable label selector flag: each occurrence is one selector (commas inside it mean AND). */
  labelSelectors(settings: OptionSettings): OptionSpec<readonly LabelSelector[]> {
    return makeSpec<readonly LabelSelector[]>(settings, {
      kind: "labelSelectors",
      typeName: "stringArray",
      multiplicity: "array",
      defaultValue: [],
      defaultText: undefined,
      parseAll: (raw, source) =>
        parseArray(raw, source).map((s) =>
          withGoErrors(() => parseLabelSelector(s), "give a label selector such as app=web,tier in (a,b)"),
        ),
    });
  },

  /** A comma-separated list of Kubernetes labels `key=value`. */
  keyValue(settings: ListSettings): OptionSpec<readonly KeyValue[]> {
    const def = settings.default ?? [];
    return makeSpec<readonly KeyValue[]>(settings, {
      kind: "keyValue",
      typeName: "strings",
      multiplicity: "slice",
      defaultValue: def.map((d) => parseLabelAssignment(d)),
      defaultText: def.length ? formatList(def) : undefined,
      parseAll: (raw) =>
        parseSlice(raw).map((s) =>
          withGoErrors(() => parseLabelAssignment(s), "give labels as key=value, comma-separated"),
        ),
    });
  },
};
