export { commandRebooter, type CommandRebooterOptions } from "./command-rebooter.js";
export { signalRebooter, type SignalRebooterOptions } from "./signal-rebooter.js";
