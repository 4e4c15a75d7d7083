export { loadConfig, type LoadedConfig, type LoadConfigOptions } from "./load-config.js";
export {
  resolveConfig,
  resolveConfigAsync,
  type ResolvedConfig,
  type ResolveInput,
  type ValueOrigin,
} from "./resolve.js";
export { parseArgv, type ParsedArgv, type FlagShape } from "./argv.js";
export {
  buildOptionTable,
  flagNameFromKey,
  envNameFromFlag,
  RESERVED_FLAGS,
  type OptionTable,
  type OptionEntry,
} from "./option-table.js";
export { renderHelp, type HelpHeader } from "./help.js";
