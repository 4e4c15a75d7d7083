import type { Clock, Logger, Notifier, RebootEvent } from "@kured/core";
import { NotifyTimeoutError, clockDeadline, whenAborted } from "./clock-deadline.js";
import { createHttpSend } from "./http-send.js";
import { placeholderValues, renderTemplate, templateFor, type PhaseTemplates } from "./message-template.js";
import { scrubSecrets } from "./scrub-secrets.js";
import { DeliveryError, type NotifyTarget } from "./services/service.js";

/** What one URL's notifier needs. */
export interface UrlNotifierOptions {
  /** kebab-case, e.g. `notify-slack-1` */
  readonly id: string;
  readonly target: NotifyTarget;
  readonly templates: PhaseTemplates;
  /** `--cluster-name`; "" to take the event's `cluster` attribute */
  readonly clusterName: string;
  /** the most one notify() may take, retry and waits included */
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly log: Logger;
  /** test seam: send every HTTP request to this origin instead (see HttpSendOptions.baseUrl) */
  readonly baseUrl?: string;
  /** test seam: the fetch to use */
  readonly fetch?: typeof fetch;
}

/** Says why a delivery failed, in words that hold no secret. */
export function describeFailure(error: unknown, signal: AbortSignal, secrets: readonly string[]): string {
  let text: string;
  if (signal.aborted) {
    text =
      signal.reason instanceof NotifyTimeoutError
        ? `no answer within ${signal.reason.timeoutMs} ms`
        : "aborted by the caller";
  } else if (error instanceof DeliveryError) {
    text = error.message;
  } else if (error instanceof Error) {
    // fetch reports network trouble as "fetch failed" with the system error as the cause.
    const cause = error.cause as { code?: unknown } | undefined;
    const code = typeof cause?.code === "string" ? cause.code : undefined;
    text = code ? `request failed (${code})` : `request failed (${error.name})`;
  } else {
    text = "request failed";
  }
  return scrubSecrets(text, secrets);
}

/**
 * A notifier for one URL: renders the phase's template, sends it, and never throws — a failure
 * is logged (without secrets) and notify() resolves, always within `timeoutMs` on the clock.
 */
export function createUrlNotifier(options: UrlNotifierOptions): Notifier {
  const { target, clock, log } = options;
  return {
    id: options.id,
    accepts: (event: RebootEvent) => templateFor(options.templates, event.phase) !== undefined,
    async notify(event: RebootEvent, signal: AbortSignal): Promise<void> {
      const template = templateFor(options.templates, event.phase);
      if (template === undefined) return;
      const fields = { url: target.display, phase: event.phase, node: event.node };
      if (signal.aborted) {
        log.warn(fields, `Not notifying ${target.display}: the caller aborted`);
        return;
      }
      const message = renderTemplate(template, placeholderValues(event, options.clusterName));
      const deadline = clockDeadline(clock, options.timeoutMs, signal);
      const http = createHttpSend({
        clock,
        signal: deadline.signal,
        deadline: deadline.at,
        ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      });
      try {
        const delivery = target.deliver(message, { http, signal: deadline.signal, timeoutMs: options.timeoutMs, log });
        // A service that cannot be interrupted (a stuck SMTP dialogue) still ends at the deadline.
        await Promise.race([delivery, whenAborted(deadline.signal)]);
        log.debug(fields, `Notified ${target.display}`);
      } catch (error) {
        const why = describeFailure(error, deadline.signal, target.secrets);
        log.warn({ ...fields, error: why }, `Error notifying ${target.display}: ${why}`);
      } finally {
        deadline.dispose();
      }
    },
  };
}
