import { defineConfig } from "tsdown";
import { deployableBuild } from "../../tsdown.base.ts";

/**
 * PGlite (development and tests only: a built api always has DATABASE_URL) stays out of the
 * bundle. @repo/db loads it with a dynamic import that a deployed api never runs; bundled, it would
 * add its own chunks and a WebAssembly file next to dist/main.js.
 */
const PGLITE = /^(@electric-sql\/pglite|drizzle-orm\/pglite)(\/|$)/;

/**
 * `pnpm build`: dist/main.js for plain `node`, never in development mode (see tsdown.base.ts at
 * the repository root). Unlike the other runnable workspaces, the api bundles its npm dependencies
 * too, so the image ships one file and no node_modules: nothing that only builds, types or
 * benchmarks it can reach production.
 */
export default defineConfig({
  ...deployableBuild,
  deps: {
    alwaysBundle: (id) => !PGLITE.test(id),
    neverBundle: PGLITE,
    onlyBundle: false,
    onlyImport: ["@electric-sql/pglite", "drizzle-orm"],
  },
  // Still one file when a dependency imports a module lazily (OpenTelemetry's resource detectors).
  outputOptions: { codeSplitting: false },
});
