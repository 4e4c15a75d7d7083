import type { Blocker } from "../contracts/blocker.js";
import type { Clock } from "../contracts/clock.js";
import type { Detector } from "../contracts/detector.js";
import type { Drainer } from "../contracts/drainer.js";
import type { EventSubscriber } from "../contracts/event-bus.js";
import type { HttpRoute } from "../contracts/http-route.js";
import type { LockBackend } from "../contracts/lock-backend.js";
import type { Logger } from "../contracts/logger.js";
import type { Notifier } from "../contracts/notifier.js";
import type { Rebooter } from "../contracts/rebooter.js";

/** The kinds of component a plugin can provide, and their types. */
export interface ComponentTypes {
  detector: Detector;
  blocker: Blocker;
  notifier: Notifier;
  lockBackend: LockBackend;
  drainer: Drainer;
  rebooter: Rebooter;
  subscriber: EventSubscriber;
  httpRoute: HttpRoute;
}

/** One kind of component. */
export type ComponentKind = keyof ComponentTypes;

/** The component kinds, in a fixed order. */
export const COMPONENT_KINDS: readonly ComponentKind[] = [
  "detector",
  "blocker",
  "notifier",
  "lockBackend",
  "drainer",
  "rebooter",
  "subscriber",
  "httpRoute",
];

/** Kinds of which many may be active at once (resolved as arrays); of the others exactly one is selected. */
export const MULTI_KINDS: ReadonlySet<ComponentKind> = new Set([
  "detector",
  "blocker",
  "notifier",
  "subscriber",
  "httpRoute",
]);

/** What a component factory receives: the host's services, never the container itself. */
export interface ComponentContext {
  /** the node this daemon runs for */
  readonly node: string;
  readonly clock: Clock;
  /** a child logger bound to `{ plugin, component }` */
  readonly log: Logger;
  /** a core service by its token (e.g. `Tokens.Kube`, the REST client); throws if the host has none */
  resolve<T>(token: symbol): T;
}

/** Builds a component when the host first needs it. */
export type ComponentFactory<T> = (ctx: ComponentContext) => T;

/** The facade a plugin registers its components through. */
export interface PluginRegistry {
  detector(id: string, factory: ComponentFactory<Detector>): void;
  blocker(id: string, factory: ComponentFactory<Blocker>): void;
  notifier(id: string, factory: ComponentFactory<Notifier>): void;
  lockBackend(id: string, factory: ComponentFactory<LockBackend>): void;
  drainer(id: string, factory: ComponentFactory<Drainer>): void;
  rebooter(id: string, factory: ComponentFactory<Rebooter>): void;
  /** an event bus subscriber (metrics, audit trails…) */
  subscriber(id: string, factory: ComponentFactory<EventSubscriber>): void;
  /** a route on the daemon's HTTP endpoint (e.g. `/metrics`) */
  httpRoute(id: string, factory: ComponentFactory<HttpRoute>): void;
}
