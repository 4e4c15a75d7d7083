import { definePlugin } from "@kured/core";

export default definePlugin({
  id: "fixture-incompatible-core",
  core: ">=9.0.0",
  register() {
    globalThis.__kuredFixtureIncompatibleRegistered = true;
  },
});
