-- Every committed message is announced on the "messages" channel with its id (the row itself is
-- read from the table: NOTIFY payloads are capped at 8000 bytes). A trigger, so that any writer
-- announces what it inserts; NOTIFY is delivered only when the inserting transaction commits.
CREATE FUNCTION "notify_message"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('messages', NEW."id"::text);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "messages_notify" AFTER INSERT ON "messages"
  FOR EACH ROW EXECUTE FUNCTION "notify_message"();
