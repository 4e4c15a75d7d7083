import type { Sample } from "./query-result.js";

/** kured's three alert flags. */
export interface AlertFilter {
  /** `--alert-filter-regexp`: an unanchored RE2 search on the alert name; none = every alert */
  readonly regexp?: RegExp | undefined;
  /** `--alert-filter-match-only`: keep the matching alerts instead of dropping them */
  readonly matchOnly: boolean;
  /** `--alert-firing-only`: keep only `alertstate="firing"` */
  readonly firingOnly: boolean;
}

/**
 * The names of the active alerts among `ALERTS` samples, de-duplicated and sorted, exactly as
 * kured selects them: a sample counts when its value is not 0, it has an `alertname`, and
 * (no regexp, or the regexp's match equals `matchOnly`) and (not `firingOnly`, or it is firing).
 */
export function activeAlertNames(samples: readonly Sample[], filter: AlertFilter): string[] {
  const names = new Set<string>();
  for (const { labels, value } of samples) {
    const name = labels["alertname"];
    if (value === 0 || name === undefined) continue;
    // A fresh lastIndex every time, should the RegExp ever carry the g or y flag.
    if (filter.regexp && new RegExp(filter.regexp).test(name) !== filter.matchOnly) continue;
    if (filter.firingOnly && labels["alertstate"] !== "firing") continue;
    names.add(name);
  }
  // Go's sort.Strings orders by UTF-8 bytes, which is neither locale nor UTF-16 order.
  return [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
