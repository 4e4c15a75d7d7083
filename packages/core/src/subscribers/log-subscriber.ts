import type { BusMessage, EventSubscriber } from "../contracts/event-bus.js";
import type { Phase, RebootEvent } from "../contracts/events.js";
import type { Logger } from "../contracts/logger.js";

/** kured's log lines for each phase, where kured has one. */
function line(e: RebootEvent): string {
  const why = e.reason ? `: ${e.reason.message}` : "";
  const texts: Record<Phase, string> = {
    "reboot-required": "Reboot required",
    blocked: `Reboot blocked${why}`,
    "lock-waiting": `Lock already held: ${e.attributes.holder ?? ""}`,
    "lock-acquired": "Acquired reboot lock",
    draining: `Draining node ${e.node}`,
    "drain-failed": `Unable to cordon or drain ${e.node}${why}, will release lock and retry cordon and drain before rebooting when lock is next acquired`,
    rebooting: `Triggering reboot for node ${e.node}`,
    rebooted: `Node ${e.node} rebooted`,
    uncordoned: `Uncordoned node ${e.node}`,
    "lock-released": "Released reboot lock",
    error: `Error${why}`,
  };
  return texts[e.phase];
}

const WARN: ReadonlySet<Phase> = new Set(["blocked", "lock-waiting", "drain-failed"]);

/** Logs every phase, with `phase` and the reason code as fields. */
export function logSubscriber(log: Logger): EventSubscriber {
  return {
    id: "log",
    handle(message: BusMessage): void {
      if (message.kind !== "phase") return;
      const e = message.event;
      const fields = { phase: e.phase, ...(e.reason ? { reason: e.reason.code } : {}) };
      if (e.phase === "error") log.error(fields, line(e));
      else if (WARN.has(e.phase)) log.warn(fields, line(e));
      else log.info(fields, line(e));
    },
  };
}
