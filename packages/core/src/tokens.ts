/**
 * Dependency-injection tokens. `Symbol.for` makes them global, so a second copy of @kured/core in
 * a plugin's node_modules still names the same services instead of a silently empty container.
 */
export const Tokens = {
  Clock: Symbol.for("kured.clock"),
  Logger: Symbol.for("kured.logger"),
  Config: Symbol.for("kured.config"),
  NodeName: Symbol.for("kured.node-name"),
  /** the REST client for the API server (`KubeApi`); what core and the built-in plugins use */
  Kube: Symbol.for("kured.kube"),
  /** a @kubernetes/client-node KubeConfig, only where the caller has one (tests, simulate, the CLI) */
  KubeConfig: Symbol.for("kured.kube-config"),
  EventBus: Symbol.for("kured.event-bus"),
  Detector: Symbol.for("kured.detector"),
  Blocker: Symbol.for("kured.blocker"),
  LockBackend: Symbol.for("kured.lock-backend"),
  Drainer: Symbol.for("kured.drainer"),
  Rebooter: Symbol.for("kured.rebooter"),
  Notifier: Symbol.for("kured.notifier"),
  Subscriber: Symbol.for("kured.subscriber"),
  HttpRoute: Symbol.for("kured.http-route"),
} as const;

/** The name of a token in `Tokens`. */
export type TokenName = keyof typeof Tokens;
