export { logSubscriber } from "./log-subscriber.js";
export { kubeEventsSubscriber, EVENT_REASONS } from "./kube-events-subscriber.js";
export { notifierSubscriber } from "./notifier-subscriber.js";
