import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import type { Database } from "./database.ts";
import { type DirectoryLock, lockDirectory } from "./directory-lock.ts";
import type { DrizzleDatabase } from "./drizzle-database.ts";
import { migrate, migrationHash } from "./migrate.ts";
import { MIGRATION_FILES } from "./migration-files.ts";
import * as schema from "./schema.ts";

export interface PgliteOptions {
  /** Where the data lives; undefined: in memory (gone with the process). */
  readonly dataDir?: string | undefined;
  /**
   * Told when `dataDir` is held by another live process (another `pnpm dev`, a test): PGlite is one
   * process's, so this one keeps its messages in memory instead.
   */
  readonly onDataDirInUse?: (dataDir: string, holderPid: number) => void;
}

/**
 * A freshly migrated empty database, dumped once and kept in this process and in a file under the
 * system's temporary folder (named for the PGlite build and the migrations): later in-memory
 * databases, in this process or another (every api a test spawns), load it instead of running
 * initdb and the migrations again, which costs seconds of CPU each time.
 */
let migratedTemplate: Promise<Blob> | undefined;
/**
 * PGlite: Postgres compiled to WebAssembly, in this process, for development, the demo and tests
 * (no server to install). The same SQL as on Postgres. Loaded on demand: a deployed api (which
 * always has DATABASE_URL) never loads it, and its bundle does not contain it.
 */
export async function openPglite(options: PgliteOptions = {}): Promise<Database> {
  const [{ PGlite }, { drizzle }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("drizzle-orm/pglite"),
  ]);
  let lock: Extract<DirectoryLock, { held: true }> | undefined;
  let dataDir = options.dataDir;
  if (dataDir !== undefined) {
    mkdirSync(dataDir, { recursive: true });
    const taken = lockDirectory(dataDir);
    if (taken.held) lock = taken;
    else {
      options.onDataDirInUse?.(dataDir, taken.holderPid);
      dataDir = undefined;
    }
  }
  let client: PGlite;
  try {
    client = await createClient(PGlite, dataDir);
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db: DrizzleDatabase = drizzle({ client, schema });
  try {
    // Always at open: PGlite is this process's alone, so there is no one to wait for.
    await migrate(db);
  } catch (error) {
    await client.close().catch(() => {});
    lock?.release();
    throw error;
  }
  return {
    kind: "pglite",
    run: (work) => work(db),
    migrate: () => migrate(db),
    async listen(channel, handlers) {
      const unlisten = await client.listen(channel, (payload) => handlers.onNotify(payload));
      handlers.onListening();
      return () => unlisten();
    },
    async close() {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

type PgliteClass = typeof PGlite;

async function createClient(PGliteClass: PgliteClass, dataDir: string | undefined) {
  if (dataDir !== undefined) return PGliteClass.create(dataDir);
  const templateFile = join(tmpdir(), `pglite-template-${templateKey()}.tar`);
  migratedTemplate ??= readFile(templateFile).then(
    (bytes) => new Blob([bytes]),
    () => buildTemplate(PGliteClass, templateFile),
  );
  const template = migratedTemplate;
  try {
    return await PGliteClass.create({ loadDataDir: await template });
  } catch {
    // A template that is damaged or failed to build: forget it, start from scratch.
    if (migratedTemplate === template) migratedTemplate = undefined;
    await rm(templateFile, { force: true });
    return PGliteClass.create();
  }
}

async function buildTemplate(PGliteClass: PgliteClass, file: string): Promise<Blob> {
  const [{ drizzle }, client] = await Promise.all([
    import("drizzle-orm/pglite"),
    PGliteClass.create(),
  ]);
  try {
    await migrate(drizzle({ client, schema }));
    const dump = await client.dumpDataDir("none");
    // Written aside and renamed: a process reading it never sees half a file.
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, new Uint8Array(await dump.arrayBuffer()));
    await rename(partial, file);
    return dump;
  } finally {
    await client.close();
  }
}

/** Names the template for this PGlite build (its installed path) and these migrations. */
function templateKey(): string {
  const hash = createHash("sha256").update(import.meta.resolve("@electric-sql/pglite"));
  for (const file of MIGRATION_FILES) hash.update(migrationHash(file));
  return hash.digest("hex").slice(0, 16);
}
