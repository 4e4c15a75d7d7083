/**
 * @kured/core — the public API: contracts, DI tokens, errors, the plugin API, configuration
 * parsing and the reboot window. Everything not exported here is private.
 */
export * from "./contracts/index.js";
/** DI tokens (`Symbol.for("kured.<kind>")`), shared by every copy of @kured/core. */
export { Tokens, type TokenName } from "./tokens.js";
/** The version of this @kured/core. */
export { CORE_VERSION } from "./version.js";
/** The error class, its code table and helpers. */
export { KuredError, isKuredError, formatProblem, type Problem } from "./errors/kured-error.js";
export { ERROR_CODES, type KuredErrorCode } from "./errors/codes.js";
/** The production clock. */
export { systemClock } from "./clock/system-clock.js";
/** The production clock over other timers and another time source, and the longest timer Node holds. */
export { createSystemClock, MAX_TIMER_MS, type TimerFunctions } from "./clock/system-clock.js";
/** The pino logger factory (`--log-format text|json`). */
export { createLogger, type LogFormat, type LoggerOptions } from "./log/logger.js";
/** Secret redaction for URLs and free text. */
export { redactUrl, redactText, redactSecrets } from "./log/redact.js";
/** Go-compatible parsing: durations, integers, booleans, CSV slices, RE2 regular expressions. */
export * from "./go/index.js";
/** Kubernetes label and field selectors, label key/value validation. */
export * from "./selectors/index.js";
/** The reboot window: days, times of day, time zones. */
export * from "./window/index.js";
/** The plugin API: definePlugin, option builders, the registry facade, the host and the loader. */
export * from "./plugin/index.js";
/** Configuration: flags and KURED_* variables into validated, typed values; --help. */
export * from "./config/index.js";
/** @kured/core's own plugin: the reboot cycle's flags. */
export { corePlugin, coreOptions } from "./core-plugin.js";
/** The event bus every phase is published on. */
export { createEventBus } from "./events/event-bus.js";
/** The reboot coordinator: the whole cycle, one per node. */
export { RebootCoordinator, type CoordinatorOptions } from "./coordinator/coordinator.js";
export type { CycleSettings, Checkpoint } from "./coordinator/cycle-settings.js";
export { Backoff, retryOnConflict } from "./coordinator/backoff.js";
export { runRebootRequiredSampler, type SamplerOptions } from "./coordinator/reboot-required-sampler.js";
/** Node operations: annotations, labels, taints, cordon. */
export * from "./node/index.js";
/** Kubernetes API clients, made once and loaded lazily. */
export * from "./kube/index.js";
/** Bus subscribers: logs, Kubernetes Events, notifiers. */
export * from "./subscribers/index.js";
/** Host commands: google/shlex splitting and nsenter execution in the host mount namespace. */
export * from "./host/index.js";
/** Rebooters: `--reboot-method=command|signal`. */
export * from "./reboot/index.js";
/** The daemon assembled from the plugin host, and its HTTP endpoint. */
export * from "./daemon/index.js";
/** The reboot lock: the Go-kured-compatible codec, DaemonSet and Lease backends, the queue, manual control. */
export * from "./lock/index.js";
/** A lock backend made on first use (component factories are synchronous). */
export { lazyLockBackend, hasManualControl, type ControllableLockBackend } from "./lock/lazy-lock-backend.js";
