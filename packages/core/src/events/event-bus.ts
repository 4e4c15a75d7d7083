import type { BusMessage, EventBus, EventSubscriber } from "../contracts/event-bus.js";
import type { Logger } from "../contracts/logger.js";

/**
 * Creates the daemon's event bus. Each subscriber gets its own promise chain, so a slow
 * subscriber delays only itself, messages reach it in order, and its failures are logged here.
 */
export function createEventBus(options: { log: Logger }): EventBus {
  const chains = new Map<EventSubscriber, Promise<void>>();
  return {
    publish(message: BusMessage): void {
      for (const [subscriber, chain] of chains) {
        const next = chain.then(async () => {
          try {
            await subscriber.handle(message);
          } catch (e) {
            options.log.warn({ err: e, subscriber: subscriber.id, kind: message.kind }, "event subscriber failed");
          }
        });
        chains.set(subscriber, next);
      }
    },
    subscribe(subscriber: EventSubscriber): () => void {
      chains.set(subscriber, Promise.resolve());
      return () => {
        chains.delete(subscriber);
      };
    },
    async drain(): Promise<void> {
      // Handlers may publish more; loop until nothing new was queued.
      for (;;) {
        const pending = [...chains.values()];
        await Promise.all(pending);
        if (pending.every((p, i) => [...chains.values()][i] === p)) return;
      }
    },
  };
}
