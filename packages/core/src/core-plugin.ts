import { isKuredError } from "./errors/kured-error.js";
import { definePlugin, type OptionProblem } from "./plugin/define-plugin.js";
import { option, type ValueCheck } from "./plugin/option.js";
import { validateLabelKey } from "./selectors/index.js";
import { CORE_VERSION } from "./version.js";
import { loadTimeZone, parseTimeOfDay, parseWeekdays } from "./window/index.js";
import { CommandSyntaxError, splitCommand } from "./host/index.js";
import { commandRebooter } from "./reboot/command-rebooter.js";
import { signalRebooter } from "./reboot/signal-rebooter.js";
import { createLockBackend, LOCK_BACKENDS } from "./lock/create-lock-backend.js";
import { lazyLockBackend } from "./lock/lazy-lock-backend.js";
import { Tokens } from "./tokens.js";
import { objectNameCheck } from "./config/dns-names.js";
import type { KubeApi } from "./kube/kube-api.js";

const qualifiedName =
  (what: string): ValueCheck =>
  (value) => {
    const problem = value === "" ? undefined : validateLabelKey(value);
    return problem && `not a valid ${what}: ${problem}`;
  };

/** Turns a window parser's KuredError into a value check (its message and fix). */
const windowCheck =
  (parse: (value: string) => unknown): ValueCheck =>
  (value) => {
    try {
      parse(value);
      return undefined;
    } catch (e) {
      if (!isKuredError(e) || !e.problems[0]) throw e;
      const { message, fix } = e.problems[0];
      return fix === undefined ? { message } : { message, fix };
    }
  };

/** The options of the reboot cycle itself, owned by @kured/core (kured's names, types, defaults). */
export const coreOptions = {
  nodeId: option.string({
    describe: "node name this pod runs on; the DaemonSet sets KURED_NODE_ID from spec.nodeName",
    required: true,
  }),
  period: option.duration({
    describe: "period of the reboot check loop (the first check is jittered)",
    default: "1h",
    positive: true,
  }),
  concurrency: option.int({
    describe: "most nodes rebooting at once; above 1 the lock uses kured's multi-lock format",
    default: 1,
    min: 1,
    rangeFix: "use 1 or more",
  }),
  dsNamespace: option.string({
    describe: "namespace of the DaemonSet whose annotation holds the lock",
    default: "kube-system",
    nonEmpty: true,
    check: objectNameCheck("label", "namespace", "give the namespace kured's DaemonSet runs in, e.g. kube-system"),
  }),
  dsName: option.string({
    describe: "name of the DaemonSet whose annotation holds the lock",
    default: "kured",
    nonEmpty: true,
    check: objectNameCheck("subdomain", "DaemonSet name", "give the name of kured's DaemonSet, e.g. kured"),
  }),
  lockAnnotation: option.string({
    describe: "annotation on the DaemonSet that holds the lock",
    default: "weave.works/kured-node-lock",
    nonEmpty: true,
    check: qualifiedName("annotation key"),
  }),
  lockTtl: option.duration({
    describe: "the lock expires this long after it was taken; 0 = never",
    default: "0",
    min: 0,
  }),
  lockReleaseDelay: option.duration({
    describe: "wait this long before releasing the lock (throttles reboots); 0 = none",
    default: "0",
    min: 0,
  }),
  preferNoScheduleTaint: option.string({
    describe: "taint key (effect PreferNoSchedule) set while the node waits for the lock; empty = none",
    check: qualifiedName("taint key"),
  }),
  forceReboot: option.bool({
    describe: "reboot even if cordon or drain fails or times out",
  }),
  drainDelay: option.duration({
    describe: "wait this long before draining (after the pre-reboot labels)",
    default: "0",
    min: 0,
  }),
  rebootDelay: option.duration({
    describe: "wait this long between a successful drain and the reboot",
    default: "0",
    min: 0,
  }),
  rebootMethod: option.enum({
    describe: "how to reboot",
    values: ["command", "signal"],
    default: "command",
  }),
  rebootCommand: option.string({
    describe: "command run in the host's mount namespace to reboot (--reboot-method=command)",
    default: "/bin/systemctl reboot",
  }),
  rebootSignal: option.int({
    describe: "signal sent to PID 1 to reboot (--reboot-method=signal); 39 = SIGRTMIN+5",
    default: 39,
    min: 1,
    max: 64,
    rangeFix: "use a Linux signal number from 1 to 64",
  }),
  rebootDays: option.stringSlice({
    describe: "days reboots are allowed (names or 0-6, 0 = Sunday)",
    default: ["su", "mo", "tu", "we", "th", "fr", "sa"],
    check: windowCheck((day) => parseWeekdays([day])),
  }),
  startTime: option.string({
    describe: "start of the daily reboot window",
    default: "0:00",
    check: windowCheck((time) => parseTimeOfDay(time)),
  }),
  endTime: option.string({
    describe: "end of the daily reboot window, inclusive to the end of that second",
    default: "23:59:59",
    check: windowCheck((time) => parseTimeOfDay(time)),
  }),
  timeZone: option.string({
    describe: "time zone of the window: an IANA name, UTC or Local",
    default: "UTC",
    check: windowCheck((zone) => loadTimeZone(zone)),
  }),
  annotateNodes: option.bool({
    describe: "write kured's reboot progress annotations on the node",
  }),
  preRebootNodeLabels: option.keyValue({
    describe: "labels (key=value) applied before cordoning",
  }),
  postRebootNodeLabels: option.keyValue({
    describe: "labels (key=value) applied after uncordoning",
  }),
  logFormat: option.enum({ describe: "log format: text or json", values: ["text", "json"], default: "text" }),
  metricsHost: option.string({
    describe: "host the metrics endpoint listens on; empty = all interfaces",
  }),
  metricsPort: option.int({
    describe: "port the metrics endpoint listens on",
    default: 8080,
    min: 0,
    max: 65535,
    rangeFix: "use a TCP port from 0 to 65535",
  }),
  lockBackend: option.string({
    describe: "where the lock lives: daemonset (kured's annotation, the default) or lease (coordination.k8s.io Leases)",
    default: "daemonset",
    nonEmpty: true,
  }),
  postRebootReadyTimeout: option.duration({
    describe: "after a reboot, wait this long for the node to be Ready before releasing the lock anyway",
    default: "10m",
    min: 0,
  }),
  kubeconfig: option.string({
    describe: "kubeconfig file to use instead of the in-cluster service account (also KUBECONFIG)",
  }),
  plugin: option.stringSlice({
    describe: "load a third-party plugin package, by npm name or path; repeatable",
  }),
};

type CoreOptions = typeof coreOptions;

/**
 * @kured/core's own plugin: the flags of the reboot cycle (lock, window, delays, reboot method,
 * labels, logging). Built-in plugins use the same API a third party does.
 */
export const corePlugin = definePlugin({
  id: "kured",
  core: CORE_VERSION,
  description: "the reboot cycle",
  options: coreOptions,
  validate(o) {
    const problems: OptionProblem<keyof CoreOptions>[] = [];
    if (o.rebootMethod === "command") {
      try {
        if (splitCommand(o.rebootCommand).length === 0) {
          problems.push({
            option: "rebootCommand",
            message: "is empty, but --reboot-method=command needs a command",
            fix: "give a command such as /bin/systemctl reboot, or use --reboot-method=signal",
          });
        }
      } catch (e) {
        if (!(e instanceof CommandSyntaxError)) throw e;
        problems.push({
          option: "rebootCommand",
          message: `cannot be split into words: ${e.message}`,
          fix: "close the quote or escape the character",
        });
      }
    }
    return problems;
  },
  register(reg, { options }) {
    for (const backend of LOCK_BACKENDS) {
      reg.lockBackend(backend, (ctx) =>
        lazyLockBackend(backend, () =>
          createLockBackend({
            backend,
            kube: ctx.resolve<KubeApi>(Tokens.Kube),
            namespace: options.dsNamespace,
            name: options.dsName,
            annotation: options.lockAnnotation,
            concurrency: options.concurrency,
            ttlMs: options.lockTtl,
            releaseDelayMs: options.lockReleaseDelay,
            periodMs: options.period,
            clock: ctx.clock,
            log: ctx.log,
          }),
        ),
      );
    }
    reg.rebooter("command", () => commandRebooter({ argv: splitCommand(options.rebootCommand) }));
    reg.rebooter("signal", () => signalRebooter({ signal: options.rebootSignal }));
  },
});
