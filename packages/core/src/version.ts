/** The version of this @kured/core, compared with each plugin's supported `core` range. */
export const CORE_VERSION = "1.0.0";
