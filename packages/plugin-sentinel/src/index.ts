import { CommandSyntaxError, definePlugin, option, splitCommand, type OptionProblem } from "@kured/core";
import { CommandSentinelDetector, DEFAULT_SENTINEL_COMMAND_TIMEOUT_MS } from "./command-detector.js";
import { FileSentinelDetector } from "./file-detector.js";

export { FileSentinelDetector, type FileSentinelDetectorOptions, type StatPath } from "./file-detector.js";
export {
  CommandSentinelDetector,
  DEFAULT_SENTINEL_COMMAND_TIMEOUT_MS,
  type CommandSentinelDetectorOptions,
} from "./command-detector.js";

/** The sentinel plugin's options (kured's names and defaults, plus the command timeout). */
export const sentinelOptions = {
  rebootSentinel: option.string({
    describe: "file whose existence means a reboot is required, read inside the container (mount the host's /var/run)",
    default: "/var/run/reboot-required",
  }),
  rebootSentinelCommand: option.string({
    describe:
      "command run in the host's mount namespace instead of the file check (split like a shell, no shell features); exit 0 = reboot required",
  }),
  rebootSentinelCommandTimeout: option.duration({
    describe: "kill the sentinel command when it runs longer than this; it then counts as 'not required'",
    default: "30s",
    positive: true,
  }),
};

type SentinelValues = {
  readonly rebootSentinel: string;
  readonly rebootSentinelCommand: string;
  readonly rebootSentinelCommandTimeout: number;
};

/** The command's words, or the problem with it; undefined when no command is given. */
function commandWords(command: string): { argv: string[] } | { problem: string } | undefined {
  if (command === "") return undefined;
  try {
    const argv = splitCommand(command);
    return argv.length > 0 ? { argv } : { problem: "has no words (only blanks or a comment)" };
  } catch (e) {
    if (e instanceof CommandSyntaxError) return { problem: `cannot be split into words: ${e.message}` };
    throw e;
  }
}

/** Checks the options together: the sentinel command must split into at least one word. */
function validate(values: SentinelValues): OptionProblem<keyof typeof sentinelOptions>[] {
  const words = commandWords(values.rebootSentinelCommand);
  if (words && "problem" in words) {
    return [
      {
        option: "rebootSentinelCommand",
        message: words.problem,
        fix: "close every quote and escape a trailing backslash, e.g. --reboot-sentinel-command='test -f /var/run/reboot-required'",
      },
    ];
  }
  if (values.rebootSentinel === "" && !words) {
    return [
      {
        option: "rebootSentinel",
        message: "is empty and no --reboot-sentinel-command is given",
        fix: "give the sentinel file's path inside the container, e.g. /sentinel/reboot-required",
      },
    ];
  }
  return [];
}

/** Detects that the node needs a reboot: the sentinel command when given, else the sentinel file. */
export const sentinelPlugin = definePlugin({
  id: "sentinel",
  core: "^1.0.0",
  description: "reboot-required detection",
  options: sentinelOptions,
  validate,
  register(reg, { options, log }) {
    const words = commandWords(options.rebootSentinelCommand);
    if (words && "argv" in words) {
      const { argv } = words;
      const timeoutMs = options.rebootSentinelCommandTimeout || DEFAULT_SENTINEL_COMMAND_TIMEOUT_MS;
      log.info({ cmd: argv.join(" ") }, "reboot sentinel: a command (the sentinel file is ignored)");
      reg.detector("sentinel-command", () => new CommandSentinelDetector({ argv, timeoutMs }));
      return;
    }
    log.info({ sentinel: options.rebootSentinel }, "reboot sentinel: a file");
    reg.detector("sentinel-file", () => new FileSentinelDetector({ path: options.rebootSentinel }));
  },
});

export default sentinelPlugin;
