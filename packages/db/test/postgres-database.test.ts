import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Database,
  DatabaseError,
  insertMessage,
  lastMessageId,
  messagesAfter,
  openPostgres,
} from "../src/index.ts";
import { startTestPostgres, type TestPostgres } from "../src/testing.ts";
import { listenToMessages } from "./support/listen-to-messages.ts";

/** One real Postgres server for this file (see startTestPostgres). */
describe("on a real Postgres server", () => {
  let server: TestPostgres;
  const opened: Database[] = [];
  const open = (options: Partial<Parameters<typeof openPostgres>[0]> = {}) => {
    const db = openPostgres({
      url: server.url,
      poolSize: 10,
      connectTimeoutMs: 1_000,
      statementTimeoutMs: 1_000,
      ...options,
    });
    opened.push(db);
    return db;
  };
  beforeAll(async () => {
    server = await startTestPostgres();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
    await server?.close();
  });

  it("two migrators started together apply each migration exactly once (the second waits on the advisory lock, then finds nothing to do)", async () => {
    const [a, b] = await Promise.all([open().migrate(), open().migrate()]);
    expect([...a, ...b].sort()).toEqual(["0000_messages", "0001_notify_message"]);
    expect([a.length, b.length].sort()).toEqual([0, 2]);
    const recorded = await open().run((db) =>
      db.execute(sql`select count(*)::int as n from "drizzle"."__drizzle_migrations"`),
    );
    expect([...(recorded as unknown as Array<{ n: number }>)]).toEqual([{ n: 2 }]);
    expect(await open().migrate()).toEqual([]);
  });

  it("posts from ten connections at once become visible in id order: a reader that follows 'the rows after the last id it saw' misses none", async () => {
    // Deadlines far above what 200 serialised inserts take on a loaded machine: this is about order.
    const writer = open({ poolSize: 10, statementTimeoutMs: 30_000 });
    const reader = open({ poolSize: 1, statementTimeoutMs: 30_000 });
    const start = await reader.run((db) => lastMessageId(db));
    const posts = 200;
    let writing = true;
    const seen: bigint[] = [];
    // Reads as fast as it can while the posts commit, trusting only "after the highest id seen".
    const follow = (async () => {
      let last = start;
      for (;;) {
        const done = !writing;
        const rows = await reader.run((db) => messagesAfter(db, last, 1_000));
        for (const row of rows) {
          seen.push(row.id);
          last = row.id;
        }
        if (done && rows.length === 0) return;
      }
    })();
    const stored = await Promise.all(
      Array.from({ length: posts }, (_, i) =>
        writer.run((db) => insertMessage(db, `m${i}`, "load@clients")),
      ),
    );
    writing = false;
    await follow;
    const ids = stored.map((row) => row.id).sort((x, y) => (x < y ? -1 : 1));
    expect(seen).toEqual(ids);
  });

  it("announces every committed id on the messages channel; after the server restarts, listens again by itself and says so (the place to read what was missed)", async () => {
    const db = open();
    const { notified, listenings } = await listenToMessages(db);
    expect(listenings()).toBe(1);
    const before = await db.run((d) => insertMessage(d, "before", "s"));
    await expect.poll(() => notified).toContain(String(before.id));

    await server.stop();
    // Down: an operation fails fast as unavailable, never hangs.
    const failed = await db.run((d) => lastMessageId(d)).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(DatabaseError);
    expect((failed as DatabaseError).code).toBe("ERR_DATABASE_UNAVAILABLE");
    await server.start();

    await expect.poll(() => listenings(), { timeout: 10_000 }).toBe(2);
    const after = await db.run((d) => insertMessage(d, "after", "s"));
    await expect.poll(() => notified).toContain(String(after.id));
  });

  it("an operation that outlives its deadline fails as ERR_DATABASE_TIMEOUT", async () => {
    const db = open({ statementTimeoutMs: 200 });
    const failed = await db
      .run((d) => d.execute(sql`select pg_sleep(5)`))
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(DatabaseError);
    // The server cancels it at its statement_timeout, or the client gives up first.
    expect(["ERR_DATABASE_TIMEOUT", "ERR_DATABASE_UNAVAILABLE"]).toContain(
      (failed as DatabaseError).code,
    );
  });

  it("pnpm --filter @repo/db migrate (the Job's command) applies nothing more on a current schema, says so in one JSON line and exits 0; an unreachable server is one line on stderr and exit 1", async () => {
    const run = (url: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", "src/migrate-main.ts"], {
          cwd: fileURLToPath(new URL("..", import.meta.url)),
          env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", DATABASE_URL: url },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => {
          stdout += chunk;
        });
        child.stderr.on("data", (chunk) => {
          stderr += chunk;
        });
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      });
    await open().migrate();
    expect(await run(server.url)).toEqual({
      code: 0,
      stdout: `${JSON.stringify({ event: "migrated", migrations: [] })}\n`,
      stderr: "",
    });
    const down = await run("postgres://postgres:secret@127.0.0.1:1/postgres");
    expect(down.code).toBe(1);
    expect(down.stdout).toBe("");
    expect(down.stderr).toMatch(/^migrate: migration failed: .+\n$/);
    expect(down.stderr).not.toContain("secret");
  });
});
