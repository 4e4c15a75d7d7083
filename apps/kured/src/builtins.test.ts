import { checkCoreRange, CORE_VERSION } from "@kured/core";
import { describe, expect, it } from "vitest";
import { builtinPlugins } from "./builtins.js";

// loadConfig does not check the built-in plugins' core ranges at run time (that would load
// semver into every daemon): they ship with this core, and this is where that is checked.
describe("the built-in plugins", () => {
  it.each(builtinPlugins.map((p) => [p.id, p] as const))("%s supports this @kured/core", async (_id, plugin) => {
    await expect(checkCoreRange(plugin.core, `plugin ${plugin.id}`, CORE_VERSION)).resolves.toBeUndefined();
  });

  it("would be refused by a core their ranges exclude (the check above can fail)", async () => {
    const [first] = builtinPlugins;
    await expect(checkCoreRange(first?.core, "plugin first", "0.1.0")).rejects.toMatchObject({
      code: "KURED_ERR_PLUGIN_INCOMPATIBLE",
    });
  });
});
