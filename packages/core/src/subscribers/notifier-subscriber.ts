import type { Clock } from "../contracts/clock.js";
import type { BusMessage, EventSubscriber } from "../contracts/event-bus.js";
import type { Logger } from "../contracts/logger.js";
import type { Notifier } from "../contracts/notifier.js";

/**
 * Hands every phase to every notifier that accepts it. A notifier failure is logged and never
 * stops the cycle; a notifier that does not answer within `timeoutMs` is given up on.
 */
export function notifierSubscriber(options: {
  notifiers: readonly Notifier[];
  log: Logger;
  clock: Clock;
  /** outer guard above each notifier's own timeout */
  timeoutMs?: number;
}): EventSubscriber {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return {
    id: "notifiers",
    async handle(m: BusMessage): Promise<void> {
      if (m.kind !== "phase") return;
      const event = m.event;
      await Promise.all(
        options.notifiers
          .filter((n) => n.accepts?.(event) ?? true)
          .map(async (notifier) => {
            const stop = new AbortController();
            const guard = options.clock.sleep(timeoutMs, stop.signal).then(
              () => {
                stop.abort(new Error(`notifier ${notifier.id} gave no answer within ${timeoutMs} ms`));
                options.log.warn({ notifier: notifier.id, phase: event.phase }, "notifier timed out");
              },
              () => undefined,
            );
            try {
              await Promise.race([notifier.notify(event, stop.signal), guard]);
            } catch (e) {
              options.log.warn({ err: e, notifier: notifier.id, phase: event.phase }, "Error notifying");
            } finally {
              stop.abort();
            }
          }),
      );
    },
  };
}
