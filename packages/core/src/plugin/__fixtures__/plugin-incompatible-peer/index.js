// Must never run: the peer range is checked before the module is imported.
globalThis.__kuredFixtureIncompatibleRan = true;
throw new Error("incompatible plugin code ran");
