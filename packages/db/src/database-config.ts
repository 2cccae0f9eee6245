import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  boolVar,
  ConfigurationError,
  intVar,
  isDevelopmentMode,
  parseEnv,
  workspaceRoot,
} from "@repo/env";
import { z } from "zod";

type Env = Readonly<Record<string, string | undefined>>;

/** Where the data goes: a Postgres server, or PGlite in this process (development and tests). */
export type DatabaseConfig =
  | {
      readonly kind: "postgres";
      readonly url: string;
      readonly poolSize: number;
      readonly connectTimeoutMs: number;
      readonly statementTimeoutMs: number;
      /** Apply pending migrations at start (under the migration lock). */
      readonly migrateAtStart: boolean;
    }
  | {
      readonly kind: "pglite";
      /** Undefined: in memory. */
      readonly dataDir: string | undefined;
    };

/** Bounds and defaults of the DATABASE_* settings (docs/configuration.md lists them). */
export const DATABASE_BOUNDS = {
  /** Per replica: replicas × (pool + 1 listener) must stay under the server's max_connections. */
  poolSize: { min: 1, max: 100, default: 10 },
  connectTimeoutMs: { min: 100, max: 60_000, default: 1_500 },
  /** Also the deadline of one operation: postMessage answers 503 after at most this long. */
  statementTimeoutMs: { min: 100, max: 60_000, default: 1_500 },
} as const;

const DATABASE_URL_DESCRIPTION =
  "a postgres:// URL, e.g. postgres://app:secret@db.example.com:5432/app?sslmode=verify-full";

const databaseEnvShape = {
  DATABASE_URL: z
    .string()
    .refine((value) => {
      try {
        const url = new URL(value);
        return (url.protocol === "postgres:" || url.protocol === "postgresql:") && url.host !== "";
      } catch {
        return false;
      }
    })
    .describe(DATABASE_URL_DESCRIPTION)
    .optional(),
  DATABASE_POOL_SIZE: intVar("connections", DATABASE_BOUNDS.poolSize).default(
    DATABASE_BOUNDS.poolSize.default,
  ),
  DATABASE_CONNECT_TIMEOUT_MS: intVar("milliseconds", DATABASE_BOUNDS.connectTimeoutMs).default(
    DATABASE_BOUNDS.connectTimeoutMs.default,
  ),
  DATABASE_STATEMENT_TIMEOUT_MS: intVar("milliseconds", DATABASE_BOUNDS.statementTimeoutMs).default(
    DATABASE_BOUNDS.statementTimeoutMs.default,
  ),
  DATABASE_MIGRATE_AT_START: boolVar("true or false").default(true),
};

/** PGlite's folder in development: git-ignored, at the repository root. */
export function developmentDataDir(): string {
  const here = fileURLToPath(new URL(".", import.meta.url));
  return join(workspaceRoot(here) ?? here, ".data", "pglite");
}

/**
 * The database from DATABASE_* variables. DATABASE_URL is required outside development mode (a
 * built dist/main.js, or NODE_ENV other than development/test: see isDevelopmentMode); without
 * it, development keeps its data in PGlite under .data/pglite and tests in memory.
 * @throws ConfigurationError naming the first missing or malformed variable.
 */
export function databaseConfigFromEnv(env: Env): DatabaseConfig {
  const e = parseEnv(databaseEnvShape, env);
  if (e.DATABASE_URL !== undefined) {
    return {
      kind: "postgres",
      url: e.DATABASE_URL,
      poolSize: e.DATABASE_POOL_SIZE,
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      migrateAtStart: e.DATABASE_MIGRATE_AT_START,
    };
  }
  if (!isDevelopmentMode(env)) {
    throw new ConfigurationError(
      "DATABASE_URL",
      `is required: ${DATABASE_URL_DESCRIPTION} (NODE_ENV=development keeps messages in an embedded PGlite instead, for development only)`,
    );
  }
  return {
    kind: "pglite",
    dataDir: env.NODE_ENV === "development" ? developmentDataDir() : undefined,
  };
}
