import { defineConfig } from "vitest/config";

// One vitest run for the whole workspace: workspace packages resolve to their TypeScript sources
// through the "source" export condition, so tests never depend on a stale build.
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "apps/*/src/**/*.test.ts",
      "examples/*/src/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default", "./vitest.summary-reporter.ts"],
  },
});
