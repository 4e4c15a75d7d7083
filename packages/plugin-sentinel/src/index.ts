import { definePlugin, option } from "@kured/core";

/** The sentinel plugin's options (kured's names and defaults). */
export const sentinelOptions = {
  rebootSentinel: option.string({
    describe: "file whose existence means a reboot is required, read inside the container (mount the host's /var/run)",
    default: "/var/run/reboot-required",
    implemented: false,
  }),
  rebootSentinelCommand: option.string({
    describe: "command run in the host's mount namespace instead of the file check; exit 0 = reboot required",
    implemented: false,
  }),
};

/** Detects that the node needs a reboot: a sentinel file, or a sentinel command. */
export default definePlugin({
  id: "sentinel",
  core: "^1.0.0",
  description: "reboot-required detection",
  options: sentinelOptions,
  register() {
    // The file and command detectors register here once built.
  },
});
