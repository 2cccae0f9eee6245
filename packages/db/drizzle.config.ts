import { defineConfig } from "drizzle-kit";

/**
 * drizzle-kit's configuration: `pnpm --filter @repo/db generate` writes a migration for every change
 * of src/schema.ts into migrations/ (checked in), then embeds them (scripts/embed-migrations.ts).
 */
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema.ts",
  out: "./migrations",
});
