import { NotifyUrlError } from "./notify-url-error.js";
import { parseServiceUrl } from "./service-url.js";
import { SCHEMES, serviceFor } from "./services/index.js";
import type { NotifyTarget, ServiceOptions } from "./services/service.js";
import { convertSlackHookUrl } from "./slack-hook-url.js";
import { stripQuotes } from "./strip-quotes.js";

/** Turns one notification URL into a target; throws NotifyUrlError without quoting secrets. */
export function parseNotifyUrl(raw: string, options: ServiceOptions): NotifyTarget {
  const url = parseServiceUrl(raw);
  const service = serviceFor(url.service);
  if (service === undefined) {
    throw new NotifyUrlError(
      `unknown service "${url.service}"`,
      `use one of ${SCHEMES.map((s) => `${s}://`).join(", ")}; for a plain webhook write generic+https://host/path`,
    );
  }
  return service.parse(url, options);
}

/** The notification settings that decide the URLs. */
export interface NotifyUrlSettings extends ServiceOptions {
  readonly notifyUrl: readonly string[];
  readonly slackHookUrl: string;
}

/** One URL to notify, and which flag it came from. */
export interface NotifyUrlEntry {
  readonly option: "notifyUrl" | "slackHookUrl";
  /** 1-based among the URLs of its flag */
  readonly position: number;
  readonly target: NotifyTarget;
}

/** A URL that cannot work. */
export interface NotifyUrlProblem {
  readonly option: "notifyUrl" | "slackHookUrl";
  readonly message: string;
  readonly fix?: string;
}

/** The URLs, the problems with them, and the warnings kured would print. */
export interface NotifyUrlPlan {
  readonly entries: readonly NotifyUrlEntry[];
  readonly problems: readonly NotifyUrlProblem[];
  readonly warnings: readonly string[];
}

/**
 * Works out where notifications go, as kured does: `--notify-url` (each use one URL, one pair of
 * quotes stripped) wins over `--slack-hook-url`, which is converted to a `slack://` URL with a
 * deprecation warning.
 */
export function planNotifyUrls(settings: NotifyUrlSettings): NotifyUrlPlan {
  const notifyUrls = settings.notifyUrl.map(stripQuotes).filter((u) => u.trim() !== "");
  const hook = settings.slackHookUrl;
  const entries: NotifyUrlEntry[] = [];
  const problems: NotifyUrlProblem[] = [];
  const warnings: string[] = [];

  if (notifyUrls.length > 0) {
    if (hook !== "") {
      warnings.push("Cannot use both --notify-url and --slack-hook-url flags. Kured will only use --notify-url flag");
    }
    notifyUrls.forEach((raw, i) => {
      try {
        entries.push({ option: "notifyUrl", position: i + 1, target: parseNotifyUrl(raw, settings) });
      } catch (e) {
        const which = notifyUrls.length > 1 ? `URL ${i + 1} of ${notifyUrls.length} ` : "";
        problems.push(problemOf("notifyUrl", e, `${which}(${shownBeforeParsing(raw)})`));
      }
    });
  } else if (hook !== "") {
    warnings.push("Deprecated flag(s). Please use --notify-url flag instead.");
    try {
      entries.push({
        option: "slackHookUrl",
        position: 1,
        target: parseNotifyUrl(convertSlackHookUrl(hook), settings),
      });
    } catch (e) {
      problems.push(problemOf("slackHookUrl", e, "the Slack webhook URL"));
    }
  }
  return { entries, problems, warnings };
}

/** How a URL that may not parse is shown: its scheme only. */
function shownBeforeParsing(raw: string): string {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(raw)?.[1];
  return scheme === undefined ? "not a URL" : `${scheme.toLowerCase()}://…`;
}

function problemOf(option: NotifyUrlProblem["option"], e: unknown, what: string): NotifyUrlProblem {
  if (e instanceof NotifyUrlError)
    return { option, message: `${what}: ${e.message}`, ...(e.fix ? { fix: e.fix } : {}) };
  // Not expected: parsers only throw NotifyUrlError. Keep the message free of the value anyway.
  return { option, message: `${what}: cannot be read` };
}
