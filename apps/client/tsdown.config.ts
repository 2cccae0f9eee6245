import { defineConfig } from "tsdown";

/**
 * `pnpm build`: dist/main.js for plain `node`, built as the api's is (apps/api/tsdown.config.ts):
 * workspace packages bundled in, npm packages external and listed in `dependencies`.
 */
export default defineConfig({
  entry: ["src/main.ts"],
  outDir: "dist",
  format: "esm",
  platform: "node",
  target: "node20",
  fixedExtension: false,
  sourcemap: true,
  dts: false,
  clean: true,
  deps: { alwaysBundle: [/^@repo\//], onlyBundle: [] },
});
