import type { UserConfig } from "tsdown";

/**
 * How every runnable workspace is built by `pnpm build`: one ESM file, dist/main.js, that plain
 * `node` runs. Workspace packages export TypeScript source, so they are bundled in; npm packages
 * stay external and must be listed in the app's `dependencies` (`onlyBundle: []` fails the build
 * if one would be inlined). The api overrides this and bundles everything (apps/api/tsdown.config.ts).
 */
export const runnableBuild: UserConfig = {
  entry: ["src/main.ts"],
  outDir: "dist",
  format: "esm",
  platform: "node",
  target: "node22",
  fixedExtension: false,
  sourcemap: true,
  dts: false,
  clean: true,
  deps: { alwaysBundle: [/^@repo\//], onlyBundle: [] },
};

/**
 * The api's and the client's build: as runnableBuild, and `__BUILT_FOR_DEPLOYMENT__` is `true`, so
 * the bundled code has no development mode (no local-issuer fallback, no plain http:// trust
 * anchors) whatever NODE_ENV says at run time: `start:prod`, the image and `node dist/main.js`
 * never trust whatever listens on localhost:9000 (see isDevelopmentMode in @repo/env).
 */
export const deployableBuild: UserConfig = {
  ...runnableBuild,
  define: { __BUILT_FOR_DEPLOYMENT__: "true" },
};
