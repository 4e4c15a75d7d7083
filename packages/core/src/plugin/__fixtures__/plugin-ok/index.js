import { definePlugin, option, reason } from "@kured/core";

// A minimal third-party plugin: blocks while a named marker is listed in --fixture-markers.
export default definePlugin({
  id: "fixture-ok",
  core: "^1.0.0",
  description: "a fixture plugin",
  options: {
    fixtureMarkers: option.stringSlice({ describe: "markers that block" }),
    fixtureLimit: option.int({ describe: "a limit", default: 3, min: 1 }),
  },
  register(reg, { options }) {
    reg.blocker("fixture-markers", () => ({
      id: "fixture-markers",
      scope: "cluster",
      async check() {
        return options.fixtureMarkers.length > 0
          ? { blocked: true, reason: reason("fixture-marker", `markers: ${options.fixtureMarkers.join(" ")}`) }
          : { blocked: false };
      },
    }));
  },
});
