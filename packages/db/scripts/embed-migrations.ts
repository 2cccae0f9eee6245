/**
 * Writes src/migration-files.ts from migrations/ (drizzle-kit's output): the api ships as one
 * bundled file with no migrations folder beside it, so the SQL travels inside the code.
 * `pnpm --filter @repo/db generate` runs it after drizzle-kit; test/migration-files.test.ts fails
 * when the two differ.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const folder = new URL("../migrations/", import.meta.url);
const journal = z
  .object({ entries: z.array(z.object({ tag: z.string(), when: z.number() })) })
  .parse(JSON.parse(readFileSync(new URL("meta/_journal.json", folder), "utf8")));
const files = journal.entries.map(({ tag, when }) => ({
  tag,
  when,
  sql: readFileSync(new URL(`${tag}.sql`, folder), "utf8"),
}));
const target = fileURLToPath(new URL("../src/migration-files.ts", import.meta.url));
writeFileSync(
  target,
  `import type { MigrationFile } from "./migration-file.ts";

/** Generated from migrations/ by scripts/embed-migrations.ts (\`pnpm --filter @repo/db generate\`). */
export const MIGRATION_FILES: readonly MigrationFile[] = ${JSON.stringify(files, null, 2)};
`,
);
console.log(`wrote ${files.length} migrations to ${target}`);
