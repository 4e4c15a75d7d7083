export type { Reason } from "./reason.js";
export { reason, isReasonCode } from "./reason.js";
export type { Clock } from "./clock.js";
export type { Logger } from "./logger.js";
export type { NodeContext } from "./node-context.js";
export type { Detector, DetectorResult } from "./detector.js";
export type { Blocker, BlockerResult } from "./blocker.js";
export type {
  LockBackend,
  LockSlot,
  LockState,
  LockQueueEntry,
  AcquireRequest,
  AcquireResult,
  AdoptRequest,
} from "./lock-backend.js";
export { renewedSince } from "./lock-backend.js";
export type { CordonContext, Drainer, DrainOptions, DrainProgress, DrainResult } from "./drainer.js";
export type { Rebooter } from "./rebooter.js";
export type { Notifier } from "./notifier.js";
export type { Phase, RebootEvent } from "./events.js";
export { PHASES } from "./events.js";
export type { BusMessage, EventBus, EventSubscriber, RebootRequiredSample } from "./event-bus.js";
export type { HttpRoute } from "./http-route.js";
