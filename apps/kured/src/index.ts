/** The kured command line, for tests and embedders that run it in-process. */
export { runCli } from "./cli/run-cli.js";
export type { CliIo } from "./cli/io.js";
export { builtinPlugins } from "./builtins.js";
