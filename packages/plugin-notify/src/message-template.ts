import type { Phase, RebootEvent } from "@kured/core";
import { goSprintf } from "./go-sprintf.js";

/** The named placeholders every template may use, besides kured's `%s`. */
export const PLACEHOLDERS = ["node", "phase", "reason", "holder", "cluster"] as const;

/** One named placeholder. */
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** The values of the named placeholders for one event. */
export type PlaceholderValues = Readonly<Record<Placeholder, string>>;

const PLACEHOLDER = /\{(node|phase|reason|holder|cluster)\}/g;

/**
 * One private-use character stands in for each placeholder while Go's Sprintf runs, so a value (a
 * reason message with a `%` in it, say) is never read as a format directive.
 */
const MARK_BASE = 0xe000;
const MARK_COUNT = 0x1000;
const MARKS = /[\uE000-\uEFFF]/g;
const HAS_MARK = /[\uE000-\uEFFF]/;

/** What each placeholder means for an event; `--cluster-name` wins over the event's `cluster` attribute. */
export function placeholderValues(event: RebootEvent, clusterName: string): PlaceholderValues {
  return {
    node: event.node,
    phase: event.phase,
    reason: event.reason?.message ?? "",
    holder: event.attributes.holder ?? "",
    cluster: clusterName !== "" ? clusterName : (event.attributes.cluster ?? ""),
  };
}

/**
 * Renders a template: kured's `fmt.Sprintf(template, node)` first (so `%s`, `%%` and Go's
 * artefacts are exactly kured's), then the named placeholders. A template that uses a named
 * placeholder is not one of kured's, so it never gets Go's `%!(EXTRA string=<node>)` for leaving
 * out `%s`. Unknown `{words}` stay as written.
 */
export function renderTemplate(template: string, values: PlaceholderValues): string {
  // A template that already holds private-use characters is rendered by Sprintf alone.
  if (HAS_MARK.test(template)) return goSprintf(template, [values.node]);
  const found: Placeholder[] = [];
  const marked = template.replace(PLACEHOLDER, (whole, name: Placeholder) => {
    if (found.length >= MARK_COUNT) return whole;
    found.push(name);
    return String.fromCharCode(MARK_BASE + found.length - 1);
  });
  const formatted = goSprintf(marked, [values.node], { reportExtra: found.length === 0 });
  if (found.length === 0) return formatted;
  return formatted.replace(MARKS, (mark) => {
    const name = found[mark.charCodeAt(0) - MARK_BASE];
    return name === undefined ? mark : values[name];
  });
}

/** The templates by phase; a phase without a (non-empty) template is not sent. */
export type PhaseTemplates = Readonly<Partial<Record<Phase, string>>>;

/** The template for an event, or undefined when its phase is not sent. */
export function templateFor(templates: PhaseTemplates, phase: Phase): string | undefined {
  const template = templates[phase];
  return template === undefined || template === "" ? undefined : template;
}
