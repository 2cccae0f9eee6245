/**
 * The api's entry point: `pnpm --filter @repo/api start`, and built into dist/main.js for
 * `start:prod` and the image. JSON logs; development's readable ones come from dev.ts.
 */
import { runApi } from "./run-api.ts";

await runApi();
