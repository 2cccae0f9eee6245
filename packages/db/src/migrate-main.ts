/** `pnpm --filter @repo/db migrate`: apply pending migrations to DATABASE_URL (see migrate-command.ts). */
import { loadDotEnv } from "@repo/env";
import { migrateCommand } from "./migrate-command.ts";

loadDotEnv();
process.exitCode = await migrateCommand(process.env);
