import { bigint, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Messages posted through postMessage. The id comes from the table's identity sequence and is
 * handed out under a transaction-scoped advisory lock (see message-queries.ts), so that ids become
 * visible in increasing order: what lets a reader resume from "the rows after the last id it saw".
 */
export const messages = pgTable("messages", {
  id: bigint("id", { mode: "bigint" }).primaryKey().generatedAlwaysAsIdentity(),
  text: text("text").notNull(),
  /** The subject of the token that posted it. */
  sub: text("sub").notNull(),
  postedAt: timestamp("posted_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

export type MessageRow = typeof messages.$inferSelect;
