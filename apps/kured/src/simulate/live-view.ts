import type { NodeRecord } from "./node-record.js";

function clockTime(date: Date | undefined, start: Date): string {
  if (!date) return "";
  const s = Math.max(0, Math.round((date.getTime() - start.getTime()) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

/** One line per node: name, phase, since when (cluster time since the start), why it waits. */
export function renderLines(records: readonly NodeRecord[], start: Date, now: Date): string[] {
  const width = Math.max(...records.map((r) => r.name.length));
  const header = `cluster time ${clockTime(now, start)}`;
  return [
    header,
    ...records.map((r) => {
      const phase = r.done ? "done" : r.phase;
      const why = r.done ? "" : r.why;
      return `  ${r.name.padEnd(width)}  ${phase.padEnd(16)} since ${clockTime(r.since, start).padEnd(8)}${why ? `  ${why}` : ""}`;
    }),
  ];
}

/**
 * The live view: on a terminal the node lines are redrawn in place; elsewhere (CI logs, pipes)
 * a node's line is printed when its phase changes.
 */
export class LiveView {
  private drawn = 0;
  private readonly lastPhase = new Map<string, string>();

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly start: Date,
  ) {}

  update(records: readonly NodeRecord[], now: Date): void {
    const lines = renderLines(records, this.start, now);
    if (this.out.isTTY) {
      const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : "";
      this.out.write(up + lines.map((l) => `\x1b[2K${l}\n`).join(""));
      this.drawn = lines.length;
      return;
    }
    records.forEach((r, i) => {
      const phase = r.done ? "done" : r.phase;
      if (this.lastPhase.get(r.name) !== phase) {
        this.lastPhase.set(r.name, phase);
        this.out.write(`${clockTimeLine(lines, i)}\n`);
      }
    });
  }
}

function clockTimeLine(lines: readonly string[], index: number): string {
  const time = (lines[0] ?? "").replace("cluster time ", "");
  return `[${time}]${lines[index + 1] ?? ""}`;
}
