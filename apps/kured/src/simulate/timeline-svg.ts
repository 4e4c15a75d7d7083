import type { Phase } from "@kured/core";
import type { NodeRecord } from "./node-record.js";

/** The states drawn, their colours, and which phases start them. */
const STATES: ReadonlyArray<{ name: string; colour: string; phases: readonly Phase[] }> = [
  { name: "waiting", colour: "#d9d9d9", phases: ["reboot-required", "blocked", "lock-waiting", "error"] },
  { name: "holding lock", colour: "#fdd835", phases: ["lock-acquired", "drain-failed"] },
  { name: "draining", colour: "#fb8c00", phases: ["draining"] },
  { name: "rebooting", colour: "#e53935", phases: ["rebooting"] },
  { name: "back, releasing", colour: "#1e88e5", phases: ["rebooted", "uncordoned"] },
];

function stateOf(phase: Phase): (typeof STATES)[number] | undefined {
  return STATES.find((s) => s.phases.includes(phase));
}

function escape(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c] ?? c);
}

/** An SVG Gantt chart: one row per node, a bar per state, a time axis in minutes. */
export function timelineSvg(records: readonly NodeRecord[], start: Date, end: Date, title: string): string {
  const left = 90;
  const width = 900;
  const row = 22;
  const top = 40;
  const span = Math.max(1, end.getTime() - start.getTime());
  const x = (d: Date): number => left + ((d.getTime() - start.getTime()) / span) * width;
  const height = top + records.length * row + 50;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 20}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14">${escape(title)}</text>`,
  ];
  records.forEach((r, i) => {
    const y = top + i * row;
    parts.push(`<text x="4" y="${y + 15}">${escape(r.name)}</text>`);
    r.events.forEach((e, j) => {
      const state = stateOf(e.phase);
      if (!state) return;
      const next = r.events[j + 1]?.at ?? end;
      const from = x(e.at);
      const w = Math.max(1, x(next) - from);
      parts.push(
        `<rect x="${from.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${row - 6}" fill="${state.colour}"><title>${escape(`${r.name}: ${state.name} (${e.phase})`)}</title></rect>`,
      );
    });
  });
  const axisY = top + records.length * row + 8;
  parts.push(`<line x1="${left}" y1="${axisY}" x2="${left + width}" y2="${axisY}" stroke="#555"/>`);
  const minutes = span / 60_000;
  const step = [1, 2, 5, 10, 15, 30, 60, 120, 240, 480].find((s) => minutes / s <= 12) ?? 960;
  for (let m = 0; m <= minutes; m += step) {
    const tx = left + ((m * 60_000) / span) * width;
    parts.push(`<line x1="${tx.toFixed(1)}" y1="${axisY}" x2="${tx.toFixed(1)}" y2="${axisY + 5}" stroke="#555"/>`);
    parts.push(`<text x="${tx.toFixed(1)}" y="${axisY + 18}" text-anchor="middle">${m}m</text>`);
  }
  let lx = left;
  for (const s of STATES) {
    parts.push(`<rect x="${lx}" y="${height - 16}" width="12" height="12" fill="${s.colour}"/>`);
    parts.push(`<text x="${lx + 16}" y="${height - 6}">${s.name}</text>`);
    lx += 24 + s.name.length * 7;
  }
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
