import { createHash } from "node:crypto";
import { desc, sql } from "drizzle-orm";
import { bigint, pgSchema, serial, text } from "drizzle-orm/pg-core";
import { LOCK_NAMESPACE, MIGRATION_LOCK } from "./advisory-locks.ts";
import type { DrizzleDatabase } from "./drizzle-database.ts";
import type { MigrationFile } from "./migration-file.ts";
import { MIGRATION_FILES } from "./migration-files.ts";

/**
 * Where applied migrations are recorded: drizzle's own table (`drizzle.__drizzle_migrations`, one
 * row per migration with the SHA-256 of its file and its journal time), so that `drizzle-kit
 * migrate` and this function agree on what is applied.
 */
const drizzleSchema = pgSchema("drizzle");
const appliedMigrations = drizzleSchema.table("__drizzle_migrations", {
  id: serial("id").primaryKey(),
  hash: text("hash").notNull(),
  createdAt: bigint("created_at", { mode: "number" }),
});

/** drizzle-kit's separator between the statements of one file. */
const BREAKPOINT = "--> statement-breakpoint";

/**
 * Apply the migrations not yet applied, in one transaction, under a session-scoped advisory lock:
 * replicas (or a Job and a replica) starting together wait for each other, and the later ones find
 * nothing left to do. `db` must hold ONE connection (the lock belongs to a session: on a pool, the
 * unlock could go to another). What drizzle-orm's `migrate()` does, with the lock it lacks
 * (drizzle-orm#874) and the files embedded in the code (the api ships as one bundled file).
 * @returns the tags of the migrations applied now (empty when the schema was current).
 */
export async function migrate(
  db: DrizzleDatabase,
  files: readonly MigrationFile[] = MIGRATION_FILES,
): Promise<string[]> {
  await db.execute(sql`select pg_advisory_lock(${LOCK_NAMESPACE}, ${MIGRATION_LOCK})`);
  try {
    return await applyPending(db, files);
  } finally {
    await db.execute(sql`select pg_advisory_unlock(${LOCK_NAMESPACE}, ${MIGRATION_LOCK})`);
  }
}

async function applyPending(
  db: DrizzleDatabase,
  files: readonly MigrationFile[],
): Promise<string[]> {
  await db.execute(sql`create schema if not exists "drizzle"`);
  await db.execute(sql`create table if not exists "drizzle"."__drizzle_migrations" (
    id serial primary key, hash text not null, created_at bigint)`);
  const [last] = await db
    .select({ createdAt: appliedMigrations.createdAt })
    .from(appliedMigrations)
    .orderBy(desc(appliedMigrations.createdAt))
    .limit(1);
  // drizzle's rule: a migration is pending when it is newer than the newest one applied.
  const pending = files.filter((file) => last === undefined || (last.createdAt ?? 0) < file.when);
  if (pending.length === 0) return [];
  await db.transaction(async (tx) => {
    for (const file of pending) {
      for (const statement of file.sql.split(BREAKPOINT)) {
        if (statement.trim() !== "") await tx.execute(sql.raw(statement));
      }
      await tx
        .insert(appliedMigrations)
        .values({ hash: migrationHash(file), createdAt: file.when });
    }
  });
  return pending.map((file) => file.tag);
}

/** The hash drizzle records for a migration: SHA-256 of the file's text, in hex. */
export function migrationHash(file: MigrationFile): string {
  return createHash("sha256").update(file.sql).digest("hex");
}
