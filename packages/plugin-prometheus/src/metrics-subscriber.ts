import type { BusMessage, EventSubscriber } from "@kured/core";
import type { KuredMetrics } from "./kured-metrics.js";

/** The bus subscriber that keeps kured's metrics up to date. */
export class MetricsSubscriber implements EventSubscriber {
  readonly id = "prometheus-metrics";

  constructor(private readonly metrics: KuredMetrics) {}

  handle(message: BusMessage): void {
    this.metrics.handle(message);
  }
}
