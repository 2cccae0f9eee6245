import { asc, desc, gt, sql } from "drizzle-orm";
import { LOCK_NAMESPACE, MESSAGE_ID_LOCK } from "./advisory-locks.ts";
import type { DrizzleDatabase } from "./drizzle-database.ts";
import { type MessageRow, messages } from "./schema.ts";

/** The channel the messages table's trigger notifies with each new id (migrations/0001). */
export const MESSAGES_CHANNEL = "messages";

/**
 * Store a message and return its row. The id is drawn under a transaction-scoped advisory lock
 * held until the commit: ids from a sequence are handed out at insert but become visible at commit,
 * so without it a post that draws id 8 could commit after one that drew id 9, and a reader that has
 * moved past 9 would never see 8. With it, the next post draws its id only once the previous one
 * is committed (and visible), so "the rows after the last id seen" never skips one. The cost: posts
 * are serialised for the length of one insert and commit (docs/operations.md).
 * The table's trigger announces the id on the "messages" channel at commit (migrations/0001).
 */
export function insertMessage(db: DrizzleDatabase, text: string, sub: string): Promise<MessageRow> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}, ${MESSAGE_ID_LOCK})`);
    const [row] = await tx.insert(messages).values({ text, sub }).returning();
    if (row === undefined) throw new Error("insert returned no row");
    return row;
  });
}

/** Up to `limit` messages with an id above `after`, oldest first. */
export function messagesAfter(
  db: DrizzleDatabase,
  after: bigint,
  limit: number,
): Promise<MessageRow[]> {
  return db
    .select()
    .from(messages)
    .where(gt(messages.id, after))
    .orderBy(asc(messages.id))
    .limit(limit);
}

/** The newest `limit` messages with an id above `after`, oldest first (a bounded replay). */
export async function newestMessagesAfter(
  db: DrizzleDatabase,
  after: bigint,
  limit: number,
): Promise<MessageRow[]> {
  const newestFirst = await db
    .select()
    .from(messages)
    .where(gt(messages.id, after))
    .orderBy(desc(messages.id))
    .limit(limit);
  return newestFirst.reverse();
}

/** The highest id stored, 0n when there is none. */
export async function lastMessageId(db: DrizzleDatabase): Promise<bigint> {
  const [row] = await db
    .select({ id: messages.id })
    .from(messages)
    .orderBy(desc(messages.id))
    .limit(1);
  return row?.id ?? 0n;
}
