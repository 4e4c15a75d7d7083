import { definePlugin, option } from "@kured/core";

/** Flags of `kured status`. */
export const statusPlugin = definePlugin({
  id: "status",
  core: "^1.0.0",
  description: "kured status",
  options: {
    json: option.bool({ describe: "print one JSON object instead of a table" }),
    events: option.int({ describe: "how many of the latest kured Events to show", default: 10, min: 0 }),
  },
  register() {
    // Command flags configure the command only.
  },
});

/** Flags of `kured lock acquire|release|status`. */
export const lockPlugin = definePlugin({
  id: "lock",
  core: "^1.0.0",
  description: "kured lock acquire|release|status",
  options: {
    reason: option.string({ describe: "kured lock acquire: why reboots are stopped (shown by kured status)" }),
    node: option.string({
      describe: "kured lock release: release this node's slot instead of the manual lock",
    }),
    json: option.bool({ describe: "kured lock status: print one JSON object" }),
  },
  register() {
    // Command flags configure the command only.
  },
});
