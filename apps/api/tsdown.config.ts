import { defineConfig } from "tsdown";
import { runnableBuild } from "../../tsdown.base.ts";

/** `pnpm build`: dist/main.js for plain `node` (see tsdown.base.ts at the repository root). */
export default defineConfig(runnableBuild);
