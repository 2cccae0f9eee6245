/**
 * The api's entry point: `pnpm --filter @repo/api start`, and built into dist/main.js for
 * `start:prod` and the image. JSON logs; development's readable ones come from dev.ts.
 * `node dist/main.js migrate` applies the database migrations and exits (a Kubernetes Job;
 * docs/operations.md).
 */
// First: .env is read before the packages load (what they decide as they load sees it too).
import "./load-env-first.ts";
import { migrateCommand } from "@repo/db";
import { runApi } from "./run-api.ts";

if (process.argv[2] === "migrate") {
  process.exit(await migrateCommand(process.env, "api migrate"));
}
await runApi();
