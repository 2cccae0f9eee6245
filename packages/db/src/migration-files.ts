import type { MigrationFile } from "./migration-file.ts";

/** Generated from migrations/ by scripts/embed-migrations.ts (`pnpm --filter @repo/db generate`). */
export const MIGRATION_FILES: readonly MigrationFile[] = [
  {
    tag: "0000_messages",
    when: 1796550184795,
    sql: 'CREATE TABLE "messages" (\n\t"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "messages_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),\n\t"text" text NOT NULL,\n\t"sub" text NOT NULL,\n\t"posted_at" timestamp with time zone DEFAULT now() NOT NULL\n);\n',
  },
  {
    tag: "0001_notify_message",
    when: 1796550189240,
    sql: '-- Every committed message is announced on the "messages" channel with its id (the row itself is\n-- read from the table: NOTIFY payloads are capped at 8000 bytes). A trigger, so that any writer\n-- announces what it inserts; NOTIFY is delivered only when the inserting transaction commits.\nCREATE FUNCTION "notify_message"() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM pg_notify(\'messages\', NEW."id"::text);\n  RETURN NULL;\nEND;\n$$;\n--> statement-breakpoint\nCREATE TRIGGER "messages_notify" AFTER INSERT ON "messages"\n  FOR EACH ROW EXECUTE FUNCTION "notify_message"();\n',
  },
];
