import type { DrizzleDatabase } from "./drizzle-database.ts";

/** What a listener is told about one channel. Its callbacks must not throw. */
export interface NotificationHandlers {
  /** One notification's payload. */
  onNotify(payload: string): void;
  /**
   * LISTEN is in place: once at first, and again after every reconnection. Whatever was notified
   * while the connection was away is lost: this is where a listener reads what it missed.
   */
  onListening(): void;
}

/** A database the api stores messages in: Postgres (a server) or PGlite (in process). */
export interface Database {
  readonly kind: "postgres" | "pglite";
  /**
   * Run queries. On Postgres the whole call (waiting for a pooled connection included) has a
   * deadline, and a failure that means the server is away becomes a DatabaseError.
   */
  run<T>(work: (db: DrizzleDatabase) => Promise<T>): Promise<T>;
  /** Apply pending migrations under the migration lock; the tags applied. */
  migrate(): Promise<string[]>;
  /** Follow a channel's notifications on a connection of its own; the function stops it. */
  listen(channel: string, handlers: NotificationHandlers): Promise<() => Promise<void>>;
  /** Close every connection (the listeners' too). */
  close(): Promise<void>;
}
