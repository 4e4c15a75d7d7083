import { definePlugin, type OptionValues } from "@kured/core";
import type { PhaseTemplates } from "./message-template.js";
import { notifyOptions } from "./options.js";
import { stripQuotes } from "./strip-quotes.js";

export { notifyOptions } from "./options.js";
/** Go's fmt.Sprintf for string arguments (kured's template semantics). */
export { goSprintf } from "./go-sprintf.js";
/** Template rendering: `%s` plus `{node}`, `{phase}`, `{reason}`, `{holder}`, `{cluster}`. */
export {
  renderTemplate,
  placeholderValues,
  PLACEHOLDERS,
  type Placeholder,
  type PlaceholderValues,
} from "./message-template.js";

/** The notify plugin's option values. */
export type NotifyOptionValues = OptionValues<typeof notifyOptions>;

/** Which template each phase uses; the phases not listed are never sent. */
export function phaseTemplates(options: NotifyOptionValues): PhaseTemplates {
  return {
    draining: options.messageTemplateDrain,
    rebooting: options.messageTemplateReboot,
    uncordoned: options.messageTemplateUncordon,
    blocked: options.messageTemplateBlocked,
    "drain-failed": options.messageTemplateDrainFailed,
  };
}

/**
 * True when a notification URL is set. Without one the plugin loads none of its service code
 * (URL parsers, request builders, nodemailer): it is imported on demand below.
 */
export function wantsNotifications(options: Pick<NotifyOptionValues, "notifyUrl" | "slackHookUrl">): boolean {
  return options.notifyUrl.some((u) => stripQuotes(u).trim() !== "") || options.slackHookUrl !== "";
}

/** Sends shoutrrr-compatible notifications about reboots: one notifier per URL. */
export default definePlugin({
  id: "notify",
  core: "^1.0.0",
  description: "notifications to chat, mail and webhooks (shoutrrr URLs)",
  options: notifyOptions,
  async validateAsync(options) {
    if (!wantsNotifications(options)) return [];
    const { planNotifyUrls } = await import("./notify-targets.js");
    return planNotifyUrls(options).problems;
  },
  async register(reg, { options, log }) {
    if (!wantsNotifications(options)) return;
    const [{ planNotifyUrls }, { createUrlNotifier }] = await Promise.all([
      import("./notify-targets.js"),
      import("./url-notifier.js"),
    ]);
    const plan = planNotifyUrls(options);
    for (const warning of plan.warnings) log.warn(warning);
    const templates = phaseTemplates(options);
    const counts = new Map<string, number>();
    for (const entry of plan.entries) {
      const n = (counts.get(entry.target.service) ?? 0) + 1;
      counts.set(entry.target.service, n);
      const id = `notify-${entry.target.service}-${n}`;
      reg.notifier(id, (ctx) =>
        createUrlNotifier({
          id,
          target: entry.target,
          templates,
          clusterName: options.clusterName,
          timeoutMs: options.notifyTimeout,
          clock: ctx.clock,
          log: ctx.log,
        }),
      );
    }
    if (plan.entries.length > 0) {
      log.info({ urls: plan.entries.map((e) => e.target.display) }, "Notifications enabled");
    }
  },
});
