/** Host commands: google/shlex word splitting and running a command in the host's mount namespace. */
export { splitCommand, CommandSyntaxError } from "./split-command.js";
export {
  hostExec,
  hostArgv,
  HostExecError,
  NSENTER_PATH,
  NSENTER_PREFIX,
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_MAX_OUTPUT_BYTES,
  type HostExec,
  type HostExecRequest,
  type HostExecResult,
} from "./host-exec.js";
