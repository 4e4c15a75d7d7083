#!/usr/bin/env node
// The `kured-testkit` command. A committed launcher rather than dist/cli.js itself: npm links a
// bin at `npm ci` time only if its file exists then, and dist/ is built later. It also runs the
// CLI by calling main(), so it works through npm's symlink in node_modules/.bin (dist/cli.js only
// runs itself when started by its own path).
import { existsSync } from "node:fs";
import process from "node:process";
import { URL } from "node:url";

const cli = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    "kured-testkit: @kured/testkit is not built yet: run `npm run build` at the repository root first\n",
  );
  process.exit(1);
}
const { main } = await import(cli.href);
process.exit(await main(process.argv.slice(2)));
