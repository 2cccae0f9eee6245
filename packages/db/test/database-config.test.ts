import { ConfigurationError } from "@repo/env";
import { describe, expect, it } from "vitest";
import { DATABASE_BOUNDS, databaseConfigFromEnv, developmentDataDir } from "../src/index.ts";

function refusal(env: Record<string, string | undefined>): ConfigurationError {
  try {
    databaseConfigFromEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error("expected a ConfigurationError");
}

describe("databaseConfigFromEnv", () => {
  it("outside development mode, refuses to start without DATABASE_URL, naming it", () => {
    for (const mode of [undefined, "production", "Production", "staging"]) {
      const error = refusal({ NODE_ENV: mode });
      expect(error.variable).toBe("DATABASE_URL");
      expect(error.message).toMatch(/^DATABASE_URL: is required: a postgres:\/\/ URL/);
    }
  });

  it("refuses a DATABASE_URL that is not a postgres:// URL, without repeating it (it may hold a password)", () => {
    for (const url of ["mysql://u:hunter2@db/x", "hunter2", "postgres://", "http://db:5432/x"]) {
      const error = refusal({ NODE_ENV: "production", DATABASE_URL: url });
      expect(error.variable).toBe("DATABASE_URL");
      expect(error.message).not.toContain("hunter2");
    }
  });

  it("takes a Postgres URL (sslmode included) with the documented defaults, and each setting within its bounds", () => {
    const url = "postgresql://api:secret@db.example.com:5432/api?sslmode=verify-full";
    expect(databaseConfigFromEnv({ DATABASE_URL: url })).toEqual({
      kind: "postgres",
      url,
      poolSize: DATABASE_BOUNDS.poolSize.default,
      connectTimeoutMs: 1_500,
      statementTimeoutMs: 1_500,
      migrateAtStart: true,
    });
    expect(
      databaseConfigFromEnv({
        DATABASE_URL: url,
        DATABASE_POOL_SIZE: "3",
        DATABASE_CONNECT_TIMEOUT_MS: "500",
        DATABASE_STATEMENT_TIMEOUT_MS: "800",
        DATABASE_MIGRATE_AT_START: "false",
      }),
    ).toMatchObject({
      poolSize: 3,
      connectTimeoutMs: 500,
      statementTimeoutMs: 800,
      migrateAtStart: false,
    });
    expect(refusal({ DATABASE_URL: url, DATABASE_POOL_SIZE: "0" }).variable).toBe(
      "DATABASE_POOL_SIZE",
    );
    expect(refusal({ DATABASE_URL: url, DATABASE_STATEMENT_TIMEOUT_MS: "10" }).variable).toBe(
      "DATABASE_STATEMENT_TIMEOUT_MS",
    );
  });

  it("in development mode without DATABASE_URL, uses PGlite: in .data/pglite at the repository root for NODE_ENV=development, in memory for NODE_ENV=test", () => {
    expect(databaseConfigFromEnv({ NODE_ENV: "development" })).toEqual({
      kind: "pglite",
      dataDir: developmentDataDir(),
    });
    expect(developmentDataDir()).toMatch(/[/\\]\.data[/\\]pglite$/);
    expect(databaseConfigFromEnv({ NODE_ENV: "test" })).toEqual({
      kind: "pglite",
      dataDir: undefined,
    });
  });
});
