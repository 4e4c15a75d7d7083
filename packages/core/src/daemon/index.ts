export { assembleDaemon, cycleSettingsFrom, drainOptionsFrom, type Daemon, type CoreValues } from "./assemble.js";
export { startHttpEndpoint, type HttpEndpoint } from "./http-endpoint.js";
