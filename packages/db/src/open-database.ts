import type { Clock } from "@repo/auth/server";
import type { Database } from "./database.ts";
import type { DatabaseConfig } from "./database-config.ts";
import { openPglite } from "./pglite-database.ts";
import { openPostgres } from "./postgres-database.ts";

export interface OpenDatabaseOptions {
  readonly clock?: Clock;
  /** See PgliteOptions.onDataDirInUse. */
  readonly onDataDirInUse?: (dataDir: string, holderPid: number) => void;
}

/** The database a configuration names (Postgres opens lazily; PGlite starts here). */
export async function openDatabase(
  config: DatabaseConfig,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  if (config.kind === "postgres") {
    return openPostgres({
      ...config,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
  }
  return openPglite({
    dataDir: config.dataDir,
    ...(options.onDataDirInUse === undefined ? {} : { onDataDirInUse: options.onDataDirInUse }),
  });
}
