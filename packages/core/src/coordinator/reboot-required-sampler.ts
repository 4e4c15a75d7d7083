import type { Clock } from "../contracts/clock.js";
import type { Detector } from "../contracts/detector.js";
import type { EventBus } from "../contracts/event-bus.js";
import type { Logger } from "../contracts/logger.js";
import type { Reason } from "../contracts/reason.js";

/** Options of the reboot-required sampler. */
export interface SamplerOptions {
  readonly detectors: readonly Detector[];
  readonly bus: EventBus;
  readonly node: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** how often; kured samples every minute */
  readonly intervalMs?: number;
}

/**
 * kured's `kured_reboot_required` sample: every detector is asked at once and then every minute,
 * whatever the reboot window says, and the answer is published on the bus (the metrics plugin
 * exposes it). Runs never overlap: a slow detector delays the next sample. A detector error counts
 * as "not required" and is logged. Ends when `signal` aborts.
 */
export async function runRebootRequiredSampler(options: SamplerOptions, signal: AbortSignal): Promise<void> {
  const interval = options.intervalMs ?? 60_000;
  while (!signal.aborted) {
    let required = false;
    let reason: Reason | undefined;
    for (const detector of options.detectors) {
      try {
        const result = await detector.check({ node: options.node, signal, log: options.log, clock: options.clock });
        if (result.required) {
          required = true;
          reason = result.reason;
          break;
        }
      } catch (e) {
        if (signal.aborted) return;
        options.log.warn({ err: e, detector: detector.id }, "reboot detector failed; counting it as not required");
      }
    }
    options.bus.publish({
      kind: "reboot-required",
      sample: { node: options.node, required, at: options.clock.now(), ...(reason ? { reason } : {}) },
    });
    try {
      await options.clock.sleep(interval, signal);
    } catch {
      return;
    }
  }
}
