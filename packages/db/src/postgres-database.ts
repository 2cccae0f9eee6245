import { type Clock, systemClock } from "@repo/auth/server";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Database } from "./database.ts";
import { classifyDatabaseFailure } from "./database-error.ts";
import { withDeadline } from "./deadline.ts";
import type { DrizzleDatabase } from "./drizzle-database.ts";
import { migrate } from "./migrate.ts";
import * as schema from "./schema.ts";

export interface PostgresOptions {
  /** postgres://user:password@host:port/database[?sslmode=require|verify-full] */
  readonly url: string;
  /** Connections of the pool (the listener has one more of its own). */
  readonly poolSize: number;
  /** How long opening a connection may take. */
  readonly connectTimeoutMs: number;
  /**
   * The deadline of one operation, waiting for a pooled connection included; also the server's
   * statement_timeout for the pool's connections (not for migrations, which may take longer).
   */
  readonly statementTimeoutMs: number;
  /** Sent as application_name, shown in pg_stat_activity. Default "trpc-m2m-api". */
  readonly applicationName?: string;
  /** Default: the system clock. */
  readonly clock?: Clock;
}

/**
 * Postgres through postgres.js. Connections open lazily: nothing here waits for the server, so an
 * api can start (and answer its public procedures) while the database is away.
 */
export function openPostgres(options: PostgresOptions): Database {
  const clock = options.clock ?? systemClock;
  const base = (statementTimeoutMs: number): postgres.Options<Record<string, never>> => ({
    connect_timeout: options.connectTimeoutMs / 1000,
    // postgres.js backs off up to 20 s between reconnections after a long outage; the api should
    // find the database again within a second of its return.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
    // Notices (e.g. "schema already exists, skipping") would go to console.log, amid JSON logs.
    onnotice: () => {},
    connection: {
      application_name: options.applicationName ?? "trpc-m2m-api",
      statement_timeout: statementTimeoutMs,
    },
  });
  const pool = postgres(options.url, {
    ...base(options.statementTimeoutMs),
    max: options.poolSize,
    // Idle connections are closed after a minute: a quiet replica holds few of the server's slots.
    idle_timeout: 60,
  });
  const db: DrizzleDatabase = drizzle({ client: pool, schema });

  return {
    kind: "postgres",
    run(work) {
      return withDeadline(clock, options.statementTimeoutMs, work(db)).catch((error: unknown) => {
        throw classifyDatabaseFailure(error);
      });
    },
    async migrate() {
      // One connection (the lock is its session's), no statement timeout: a migration may take
      // long, and waiting for another replica's migration is waiting on the lock.
      const single = postgres(options.url, { ...base(0), max: 1 });
      try {
        return await migrate(drizzle({ client: single, schema }));
      } catch (error) {
        throw classifyDatabaseFailure(error);
      } finally {
        await single.end({ timeout: 1 });
      }
    },
    async listen(channel, handlers) {
      // postgres.js listens on a connection of its own, and after losing it reconnects (with the
      // backoff above) and listens again for as long as the client lives, calling `onlisten` each
      // time: where the caller reads what was notified while it was away.
      try {
        const { unlisten } = await pool.listen(channel, handlers.onNotify, handlers.onListening);
        return unlisten;
      } catch (error) {
        throw classifyDatabaseFailure(error);
      }
    },
    async close() {
      // Also ends the listening connection.
      await pool.end({ timeout: 1 });
    },
  };
}
