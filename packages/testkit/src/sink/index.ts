export { startNotificationSink } from "./notification-sink.js";
export type {
  NotificationSink,
  NotificationSinkOptions,
  RecordedRequest,
  SinkMatcher,
  SinkResponder,
  SinkResponse,
} from "./notification-sink.js";
export { EventCollector, type EventCollectorOptions } from "./event-collector.js";
export type { WaitCondition } from "./recording.js";
