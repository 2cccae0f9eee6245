import { defineConfig } from "tsdown";
import { deployableBuild } from "../../tsdown.base.ts";

/**
 * `pnpm build`: dist/main.js for plain `node`, never in development mode (see tsdown.base.ts at
 * the repository root). Unlike the other runnable workspaces, the api bundles its npm dependencies
 * too, so the image ships one file and no node_modules: nothing that only builds, types or
 * benchmarks it can reach production.
 */
export default defineConfig({
  ...deployableBuild,
  deps: { alwaysBundle: [/./], onlyBundle: false, onlyImport: [] },
  // Still one file when a dependency imports a module lazily (OpenTelemetry's resource detectors).
  outputOptions: { codeSplitting: false },
});
