import { fileURLToPath } from "node:url";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { describe, expect, it } from "vitest";
import { migrationHash } from "../src/migrate.ts";
import { MIGRATION_FILES } from "../src/migration-files.ts";

describe("the embedded migrations", () => {
  it("are exactly what drizzle-kit wrote to migrations/ (regenerate with pnpm --filter @repo/db generate)", () => {
    const migrationsFolder = fileURLToPath(new URL("../migrations", import.meta.url));
    const onDisk = readMigrationFiles({ migrationsFolder });
    expect(onDisk.length).toBeGreaterThan(0);
    expect(
      MIGRATION_FILES.map((file) => ({
        sql: file.sql.split("--> statement-breakpoint"),
        folderMillis: file.when,
        hash: migrationHash(file),
      })),
    ).toEqual(onDisk.map(({ sql, folderMillis, hash }) => ({ sql, folderMillis, hash })));
  });
});
