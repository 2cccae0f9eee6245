import { defineConfig } from "tsdown";
import { deployableBuild } from "../../tsdown.base.ts";

/**
 * `pnpm build`: dist/main.js for plain `node`, never in development mode (see tsdown.base.ts at
 * the repository root).
 */
export default defineConfig(deployableBuild);
