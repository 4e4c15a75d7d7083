export { VirtualClock, DEFAULT_VIRTUAL_START } from "./virtual-clock.js";
export type { VirtualClockOptions, PendingTimer, RunUntilOptions } from "./virtual-clock.js";
export { VirtualClockError, type VirtualClockErrorCode } from "./virtual-clock-error.js";
