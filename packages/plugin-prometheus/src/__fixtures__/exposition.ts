/** One series line of the Prometheus text format. */
export interface SeriesLine {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Reads the series lines of an exposition text (comments skipped). */
export function parseExposition(text: string): SeriesLine[] {
  const out: SeriesLine[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`not a series line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (m[2] ?? "").matchAll(LABEL)) {
      labels[key as string] = JSON.parse(`"${raw as string}"`) as string;
    }
    const text = m[3] as string;
    out.push({
      name: m[1] as string,
      labels,
      value: text === "+Inf" ? Infinity : text === "-Inf" ? -Infinity : Number(text),
    });
  }
  return out;
}

/** The value of the series with exactly these labels, or undefined when there is none. */
export function seriesValue(
  lines: readonly SeriesLine[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  return lines.find((l) => l.name === name && JSON.stringify(Object.entries(l.labels).sort()) === want)?.value;
}

/** Every series of a metric, as `{labels…} value` strings sorted, for whole-metric comparisons. */
export function seriesOf(lines: readonly SeriesLine[], name: string): string[] {
  return lines
    .filter((l) => l.name === name)
    .map((l) => `${JSON.stringify(Object.fromEntries(Object.entries(l.labels).sort()))} ${l.value}`)
    .sort();
}
