import { type Clock, systemClock } from "@repo/auth/server";
import { type Database, insertMessage, isDatabaseError, newestMessagesAfter } from "@repo/db";
import { type TrackedEnvelope, tracked } from "@trpc/server";
import type { Logger } from "pino";
import { DatabaseStarter, type DatabaseStatus } from "./database-starter.ts";
import { type Message, parseMessageId, toMessage } from "./message.ts";
import { MessageFeed } from "./message-feed.ts";
import { messagesUnavailable } from "./messages-unavailable.ts";

export type { Message } from "./message.ts";

/**
 * The most messages a stream replays: after a reconnect with `lastEventId`, and when a slow stream
 * fell too far behind. If more were missed, the newest this many are sent (docs/operations.md).
 */
export const REPLAY_LIMIT = 1_000;

/** Waits between attempts to read a stream's replay while the database is away. */
const REPLAY_RETRY_MS = 1_000;

/** At most one "database unavailable" line per this long for failed posts (an outage is loud). */
const POST_FAILURE_LOG_INTERVAL_MS = 10_000;

export interface MessageBoardOptions {
  /** Opens the database; see DatabaseStarter. */
  readonly open: () => Promise<Database>;
  /** Apply pending migrations whenever the database is (re)started. Default true. */
  readonly migrate?: boolean;
  /**
   * Open the database at the first post or stream rather than at once (PGlite in tests: most api
   * instances a test starts never touch messages). Default false.
   */
  readonly lazy?: boolean;
  readonly log: Logger;
  /** Default: the system clock. */
  readonly clock?: Clock;
}

/**
 * The messages domain: postMessage stores a message in the database, onMessage follows them. Every
 * replica shares the table; each follows it through one LISTEN connection (MessageFeed), so a
 * message posted on any replica reaches the streams of all, and a stream that reconnects to any
 * replica with `lastEventId` gets the rows after it from the table, then the live ones, in id
 * order, with no duplicate and no gap.
 */
export class MessageBoard {
  readonly #starter: DatabaseStarter;
  readonly #feed: MessageFeed;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #lazy: boolean;
  #lastPostFailureLog = Number.NEGATIVE_INFINITY;
  #suppressedPostFailures = 0;

  constructor(options: MessageBoardOptions) {
    this.#log = options.log;
    this.#clock = options.clock ?? systemClock;
    this.#feed = new MessageFeed({ log: options.log, clock: this.#clock });
    const migrate = options.migrate ?? true;
    this.#starter = new DatabaseStarter({
      open: options.open,
      prepare: async (database) => {
        if (migrate) {
          const applied = await database.migrate();
          if (applied.length > 0) {
            this.#log.info({ event: "migrations_applied", migrations: applied }, "migrated");
          }
        }
        await this.#feed.start(database);
      },
      log: options.log,
      clock: this.#clock,
    });
    this.#lazy = options.lazy === true;
    if (!this.#lazy) void this.#starter.ready();
  }

  /**
   * Whether the database has answered since start (readiness); undefined for a lazy one (PGlite,
   * in this process: nothing to wait for).
   */
  status(): DatabaseStatus | undefined {
    return this.#lazy ? undefined : this.#starter.status();
  }

  /**
   * Store a message. Resolves only once it is committed; while the database is away, a
   * SERVICE_UNAVAILABLE error (503 with Retry-After) within the operation deadline.
   */
  async post(text: string, sub: string): Promise<Message> {
    const database = this.#starter.current() ?? (await this.#startedOrUnavailable());
    try {
      return toMessage(await database.run((db) => insertMessage(db, text, sub)));
    } catch (error) {
      if (!isDatabaseError(error)) throw error;
      this.#logPostFailure(error);
      throw messagesUnavailable(error);
    }
  }

  /**
   * New messages as they are stored, each tracked by its id. With `lastEventId` (what tRPC's SSE
   * client sends when it reconnects), the stored messages after it come first (at most
   * REPLAY_LIMIT), so nothing posted while the client was away is missed. While the database is
   * away the stream stays open and waits; it ends when `signal` aborts.
   */
  async *follow(
    lastEventId: string | null | undefined,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<TrackedEnvelope<Message>, void, undefined> {
    const database = await this.#waitReady(signal);
    if (database === undefined) return;
    // Attached before the replay is read, so that no message falls between the two.
    const subscription = this.#feed.attach();
    try {
      const resumeFrom = parseMessageId(lastEventId);
      let last = resumeFrom ?? subscription.startId;
      if (resumeFrom !== undefined) {
        const replay = await this.#replay(database, resumeFrom, signal);
        if (replay === undefined) return;
        for (const message of replay) {
          last = BigInt(message.id);
          yield tracked(message.id, message);
        }
      }
      for (;;) {
        const next = await subscription.next(signal);
        if (next === undefined) return;
        const batch = next === "overflowed" ? await this.#replay(database, last, signal) : next;
        if (batch === undefined) return;
        for (const message of batch) {
          const id = BigInt(message.id);
          if (id <= last) continue;
          last = id;
          yield tracked(message.id, message);
        }
      }
    } finally {
      subscription.detach();
    }
  }

  async close(): Promise<void> {
    await this.#feed.close();
    await this.#starter.close();
  }

  /** The newest REPLAY_LIMIT messages after `after`, retried until the database answers. */
  async #replay(
    database: Database,
    after: bigint,
    signal: AbortSignal | undefined,
  ): Promise<Message[] | undefined> {
    for (;;) {
      if (signal?.aborted === true) return undefined;
      try {
        const rows = await database.run((db) => newestMessagesAfter(db, after, REPLAY_LIMIT));
        return rows.map(toMessage);
      } catch (error) {
        if (!isDatabaseError(error)) throw error;
        await this.#delay(REPLAY_RETRY_MS, signal);
      }
    }
  }

  /** Lazy (PGlite): the first use starts it, and waits. Otherwise not ready means away: 503. */
  async #startedOrUnavailable(): Promise<Database> {
    if (this.#lazy) return this.#starter.ready();
    throw messagesUnavailable(undefined);
  }

  async #waitReady(signal: AbortSignal | undefined): Promise<Database | undefined> {
    if (signal?.aborted === true) return undefined;
    const aborted = new Promise<undefined>((resolve) => {
      signal?.addEventListener("abort", () => resolve(undefined), { once: true });
    });
    return Promise.race([this.#starter.ready(), aborted]);
  }

  #delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.#clock.setTimer(done, ms, { background: true });
      signal?.addEventListener("abort", done, { once: true });
      function done() {
        cancel();
        signal?.removeEventListener("abort", done);
        resolve();
      }
    });
  }

  #logPostFailure(error: { readonly code: string }): void {
    const now = this.#clock.now();
    if (now - this.#lastPostFailureLog < POST_FAILURE_LOG_INTERVAL_MS) {
      this.#suppressedPostFailures += 1;
      return;
    }
    this.#log.warn(
      {
        event: "message_post_unavailable",
        code: error.code,
        err: error,
        suppressed: this.#suppressedPostFailures,
      },
      "could not store a message: the database is unavailable",
    );
    this.#lastPostFailureLog = now;
    this.#suppressedPostFailures = 0;
  }
}
