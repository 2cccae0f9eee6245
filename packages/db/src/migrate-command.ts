import { ConfigurationError, exitOnConfigurationError } from "@repo/env";
import { databaseConfigFromEnv } from "./database-config.ts";
import { openPostgres } from "./postgres-database.ts";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Apply pending migrations to the server DATABASE_URL names, then end: what a Kubernetes Job runs
 * before the api's replicas (`pnpm --filter @repo/db migrate`, or `node dist/main.js migrate` in
 * the api's image). Safe beside replicas that migrate at start: all take the same advisory lock.
 * Writes one JSON line to stdout on success; one line to stderr otherwise.
 * @returns the exit code: 0 migrated (or nothing to do), 1 a configuration error or a failure.
 */
export async function migrateCommand(env: Env, app = "migrate"): Promise<number> {
  const config = exitOnConfigurationError(app, () => {
    const parsed = databaseConfigFromEnv({ NODE_ENV: "production", ...env });
    if (parsed.kind !== "postgres") {
      throw new ConfigurationError("DATABASE_URL", "is required");
    }
    return parsed;
  });
  const database = openPostgres(config);
  try {
    const applied = await database.migrate();
    process.stdout.write(`${JSON.stringify({ event: "migrated", migrations: applied })}\n`);
    return 0;
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const detail = cause instanceof Error ? cause.message : String(cause);
    process.stderr.write(
      `${app}: migration failed: ${detail.replace(/\s+/g, " ").slice(0, 500)}\n`,
    );
    return 1;
  } finally {
    await database.close();
  }
}
