/**
 * The api's entry point: `pnpm --filter @repo/api start`, and built into dist/main.js for
 * `start:prod` and the image. JSON logs; development's readable ones come from dev.ts.
 */
// First: .env is read before the packages load (what they decide as they load sees it too).
import "./load-env-first.ts";
import { runApi } from "./run-api.ts";

await runApi();
