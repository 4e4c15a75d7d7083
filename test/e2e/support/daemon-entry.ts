/**
 * Which kured the e2e tests run. The esbuild bundle
 * (apps/kured/dist-bundle/…), because what ships is what must be tested.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";

/** The repository's root, where `--plugin ./examples/…` paths are resolved from. */
export const REPO_ROOT = resolve(import.meta.dirname, "../../..");

/** The daemon's entry point: the bundle `npm test` makes before it tests. */
export const DEFAULT_DAEMON_ENTRY = resolve(REPO_ROOT, "apps/kured/dist-bundle/kured.mjs");

/**
 * The entry point the e2e daemons run: KURED_E2E_DAEMON when set (e.g. to try the bundle before
 * the default moves to it), else {@link DEFAULT_DAEMON_ENTRY}.
 */
export function daemonEntry(): string {
  const override = process.env.KURED_E2E_DAEMON;
  return override ? resolve(REPO_ROOT, override) : DEFAULT_DAEMON_ENTRY;
}

/** Why the e2e tests cannot run the daemon (its entry point is not built), else undefined. */
export function daemonEntryMissing(): string | undefined {
  const entry = daemonEntry();
  return existsSync(entry)
    ? undefined
    : `the kured daemon is not built (${entry} is missing): run \`npm run build\` (or \`npm run bundle\` for the bundle) first; \`npm test\` builds before it tests`;
}
