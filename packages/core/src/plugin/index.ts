export { definePlugin, isKuredPlugin, ID_PATTERN } from "./define-plugin.js";
export type { KuredPlugin, PluginDefinition, PluginContext, OptionProblem } from "./define-plugin.js";
export { option, isOptionSpec, OptionValueError } from "./option.js";
export type {
  OptionSpec,
  OptionSpecs,
  OptionValue,
  OptionValues,
  OptionSettings,
  KeyValue,
  Multiplicity,
  ValueSource,
  ValueCheck,
} from "./option.js";
export { COMPONENT_KINDS, MULTI_KINDS } from "./registry.js";
export type { ComponentContext, ComponentFactory, ComponentKind, ComponentTypes, PluginRegistry } from "./registry.js";
export { PluginHost } from "./plugin-host.js";
export type { HostServices, ComponentRegistration } from "./plugin-host.js";
export { BUILT_IN, checkPlugins, checkCoreRange, type PluginOrigin } from "./check-plugins.js";
export { loadPlugin, type LoadedPlugin } from "./load-plugin.js";
