import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type Database,
  insertMessage,
  lastMessageId,
  messagesAfter,
  newestMessagesAfter,
  openPglite,
} from "../src/index.ts";
import { listenToMessages } from "./support/listen-to-messages.ts";

describe("PGlite (development and tests)", () => {
  const opened: Database[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const open = async (options?: Parameters<typeof openPglite>[0]) => {
    const db = await openPglite(options);
    opened.push(db);
    return db;
  };

  it("in memory: starts migrated, stores messages with increasing ids, announces each id on the messages channel, and migrating again applies nothing", async () => {
    const db = await open();
    expect(await db.migrate()).toEqual([]);
    const { notified, listenings } = await listenToMessages(db);
    expect(listenings()).toBe(1);
    const first = await db.run((d) => insertMessage(d, "one", "a@clients"));
    const second = await db.run((d) => insertMessage(d, "two", "b@clients"));
    expect(first).toMatchObject({ id: 1n, text: "one", sub: "a@clients" });
    expect(first.postedAt).toBeInstanceOf(Date);
    expect(second.id).toBe(2n);
    await expect.poll(() => notified).toEqual(["1", "2"]);
    expect((await db.run((d) => messagesAfter(d, 0n, 10))).map((m) => m.text)).toEqual([
      "one",
      "two",
    ]);
    expect((await db.run((d) => newestMessagesAfter(d, 0n, 1))).map((m) => m.id)).toEqual([2n]);
    expect(await db.run((d) => lastMessageId(d))).toBe(2n);
  });

  it("each in-memory database is a database of its own (ids start at 1 again)", async () => {
    const db = await open();
    expect(await db.run((d) => lastMessageId(d))).toBe(0n);
    expect((await db.run((d) => insertMessage(d, "x", "s"))).id).toBe(1n);
  });

  it("in a folder: keeps messages across a reopen, takes over the lock of a process that is gone, and leaves a folder another live process holds alone (going to memory, and saying so)", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "pglite-")), "data");
    dirs.push(dir, `${dir}.lock`);
    const first = await openPglite({ dataDir: dir });
    await first.run((d) => insertMessage(d, "kept", "s"));
    await first.close();

    // A process that held the folder and died without releasing it.
    const gone = spawn(process.execPath, ["-e", ""]);
    await new Promise((resolve) => gone.once("exit", resolve));
    writeFileSync(`${dir}.lock`, String(gone.pid));

    const inUse: Array<[string, number]> = [];
    const onDataDirInUse = (d: string, pid: number) => inUse.push([d, pid]);
    const reopened = await open({ dataDir: dir, onDataDirInUse });
    expect(inUse).toEqual([]);
    expect((await reopened.run((d) => messagesAfter(d, 0n, 10))).map((m) => m.text)).toEqual([
      "kept",
    ]);

    const second = await open({ dataDir: dir, onDataDirInUse });
    expect(inUse).toEqual([[dir, process.pid]]);
    expect(await second.run((d) => lastMessageId(d))).toBe(0n);
  });
});
