// @ts-check
/**
 * kured-plugin-blocker-file: a third-party kured-ts plugin. Load it with
 * `kured --plugin kured-plugin-blocker-file --block-file /var/run/kured-block` (or its path).
 */
import { isAbsolute } from "node:path";
import { definePlugin, option } from "@kured/core";
import { BlockFileBlocker } from "./block-file-blocker.js";

export { BlockFileBlocker, BLOCK_FILE_PRESENT } from "./block-file-blocker.js";

/** The plugin's options: each becomes a flag and a KURED_* variable (here --block-file, KURED_BLOCK_FILE). */
export const blockFileOptions = {
  blockFile: option.string({
    describe: "while this file exists (as seen inside the kured container), this node is not rebooted",
    required: true,
    // A relative path would depend on the daemon's working directory: refuse it at start-up.
    check: (value) =>
      isAbsolute(value)
        ? undefined
        : { message: "must be an absolute path", fix: "give the file's full path, e.g. /var/run/kured-block" },
  }),
};

/** The plugin: registers the `block-file` blocker for the file given by --block-file. */
export const blockFilePlugin = definePlugin({
  id: "block-file",
  core: "^1.0.0",
  description: "hold a node's reboot while a file exists on it",
  options: blockFileOptions,
  register(reg, { options, log }) {
    // `required` is only enforced when the daemon runs; `kured simulate` may leave it empty.
    if (options.blockFile === "") {
      log.warn("--block-file is not set: the block-file blocker is off");
      return;
    }
    reg.blocker("block-file", () => new BlockFileBlocker({ path: options.blockFile }));
  },
});

export default blockFilePlugin;
