/**
 * Every error code kured can report, in one table. Users and tools match on `code`, never on the
 * message text. Documented in docs/errors.md; a test keeps the two in step.
 */
export const ERROR_CODES = {
  KURED_ERR_CONFIG_INVALID: {
    exitCode: 2,
    summary: "A flag or KURED_* variable has a value kured cannot use.",
  },
  KURED_ERR_NOT_IMPLEMENTED: {
    exitCode: 2,
    summary: "A flag was given whose behaviour this build of kured does not have yet.",
  },
  KURED_ERR_PLUGIN_NOT_FOUND: {
    exitCode: 2,
    summary: "A --plugin package or path could not be found.",
  },
  KURED_ERR_PLUGIN_INVALID: {
    exitCode: 2,
    summary: "A --plugin package is not a kured plugin (no definePlugin default export or package.json marker).",
  },
  KURED_ERR_PLUGIN_LOAD_FAILED: {
    exitCode: 2,
    summary: "Importing a plugin module threw.",
  },
  KURED_ERR_PLUGIN_INCOMPATIBLE: {
    exitCode: 2,
    summary: "A plugin does not support this version of @kured/core.",
  },
  KURED_ERR_PLUGIN_ID_INVALID: {
    exitCode: 2,
    summary: "A plugin id, or the id of something it registers, is not kebab-case.",
  },
  KURED_ERR_PLUGIN_DUPLICATE: {
    exitCode: 2,
    summary: "Two plugins have the same id, or register the same component id.",
  },
  KURED_ERR_PLUGIN_OPTION_CLASH: {
    exitCode: 2,
    summary: "Two plugins declare the same flag or KURED_* variable.",
  },
  KURED_ERR_PLUGIN_REGISTER_FAILED: {
    exitCode: 2,
    summary: "A plugin's register() threw or registered something invalid.",
  },
  KURED_ERR_COMPONENT_MISSING: {
    exitCode: 2,
    summary: "No plugin provides a component the configuration selects (e.g. a --reboot-method).",
  },
  KURED_ERR_LOCK_CORRUPT: {
    exitCode: 1,
    summary:
      "The lock annotation is not a kured lock (not JSON, or the wrong shape); it counts as held until fixed or removed.",
  },
  KURED_ERR_LISTEN_FAILED: {
    exitCode: 1,
    summary: "The metrics and health endpoint could not listen on --metrics-host:--metrics-port.",
  },
  KURED_ERR_API: {
    exitCode: 1,
    summary: "The Kubernetes API refused or failed a request a command needs; the message says what to do.",
  },
  KURED_ERR_INTERNAL: {
    exitCode: 1,
    summary: "A bug in kured: something that should not happen did. Please report it.",
  },
} as const satisfies Record<string, { exitCode: number; summary: string }>;

/** A stable error code from the table above. */
export type KuredErrorCode = keyof typeof ERROR_CODES;
