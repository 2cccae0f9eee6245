import { type Clock, systemClock } from "@repo/auth/server";
import { type Database, lastMessageId, MESSAGES_CHANNEL, messagesAfter } from "@repo/db";
import type { Logger } from "pino";
import { type Message, parseMessageId, toMessage } from "./message.ts";

/** Rows read per query when catching up. */
const PAGE = 500;
/** A subscriber this many messages behind is dropped back to the table (see Subscription). */
const MAX_QUEUED = 1_000;
/** After a failed read, the next attempt (the listener's reconnection may come sooner). */
const RETRY_READ_MS = 1_000;

/**
 * One subscriber's view of the feed: messages queued since it attached, in id order. A subscriber
 * that falls MAX_QUEUED behind (a slow client) loses its queue and is told to read from the
 * table instead (`overflowed`), so a slow stream costs bounded memory.
 */
export interface Subscription {
  /** The newest id the feed had delivered when this subscriber attached. */
  readonly startId: bigint;
  /**
   * The next messages, or "overflowed" (read the table after the last id delivered), or
   * undefined once `signal` aborts.
   */
  next(signal: AbortSignal | undefined): Promise<readonly Message[] | "overflowed" | undefined>;
  detach(): void;
}

interface Subscriber {
  queue: Message[];
  overflowed: boolean;
  wake: (() => void) | undefined;
}

/**
 * The process's one follower of the messages table: LISTENs on the channel the table's trigger
 * notifies, and on each notification (and after each reconnection of the listener, whatever was
 * notified meanwhile being lost) reads the rows after the last id it delivered, in id order, and
 * hands them to every subscriber of this process. Ids become visible in order (see insertMessage
 * in @repo/db), so "the rows after the last id" never skips one; a notification only says "read".
 */
export class MessageFeed {
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #subscribers = new Set<Subscriber>();
  #database: Database | undefined;
  #lastId = 0n;
  #reading = false;
  #readAgain = false;
  #cancelRetry: (() => void) | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  #closed = false;

  constructor(options: { readonly log: Logger; readonly clock?: Clock }) {
    this.#log = options.log;
    this.#clock = options.clock ?? systemClock;
  }

  /** Begin following `database`: from its newest message on. Throws if it does not answer. */
  async start(database: Database): Promise<void> {
    this.#database = database;
    if (this.#unlisten === undefined) this.#lastId = await database.run(lastMessageId);
    this.#unlisten ??= await database.listen(MESSAGES_CHANNEL, {
      onNotify: (payload) => {
        const id = parseMessageId(payload);
        if (id === undefined || id > this.#lastId) this.#read();
      },
      onListening: () => this.#read(),
    });
  }

  /** Start queueing new messages for a subscriber. */
  attach(): Subscription {
    const subscriber: Subscriber = { queue: [], overflowed: false, wake: undefined };
    this.#subscribers.add(subscriber);
    return {
      startId: this.#lastId,
      next: (signal) => this.#next(subscriber, signal),
      detach: () => {
        this.#subscribers.delete(subscriber);
        subscriber.wake?.();
      },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#cancelRetry?.();
    for (const subscriber of this.#subscribers) subscriber.wake?.();
    await this.#unlisten?.().catch(() => {});
  }

  async #next(
    subscriber: Subscriber,
    signal: AbortSignal | undefined,
  ): Promise<readonly Message[] | "overflowed" | undefined> {
    for (;;) {
      if (signal?.aborted === true || this.#closed || !this.#subscribers.has(subscriber)) {
        return undefined;
      }
      if (subscriber.overflowed) {
        subscriber.overflowed = false;
        return "overflowed";
      }
      if (subscriber.queue.length > 0) return subscriber.queue.splice(0);
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal?.removeEventListener("abort", wake);
          subscriber.wake = undefined;
          resolve();
        };
        subscriber.wake = wake;
        signal?.addEventListener("abort", wake, { once: true });
      });
    }
  }

  /** Read and deliver what is new; one read at a time, another after it if asked meanwhile. */
  #read(): void {
    if (this.#reading) {
      this.#readAgain = true;
      return;
    }
    const database = this.#database;
    if (database === undefined || this.#closed) return;
    this.#reading = true;
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
    const readAll = async () => {
      do {
        this.#readAgain = false;
        for (;;) {
          const rows = await database.run((db) => messagesAfter(db, this.#lastId, PAGE));
          for (const row of rows) {
            this.#lastId = row.id;
            this.#deliver(toMessage(row));
          }
          if (rows.length < PAGE) break;
        }
      } while (this.#readAgain && !this.#closed);
    };
    readAll()
      .catch((error: unknown) => {
        this.#log.warn(
          { event: "message_feed_read_failed", err: error, retryInMs: RETRY_READ_MS },
          "could not read new messages; retrying",
        );
        if (this.#closed) return;
        this.#cancelRetry = this.#clock.setTimer(() => this.#read(), RETRY_READ_MS, {
          background: true,
        });
      })
      .finally(() => {
        this.#reading = false;
      });
  }

  #deliver(message: Message): void {
    for (const subscriber of this.#subscribers) {
      if (subscriber.overflowed) continue;
      if (subscriber.queue.length >= MAX_QUEUED) {
        subscriber.queue = [];
        subscriber.overflowed = true;
      } else {
        subscriber.queue.push(message);
      }
      subscriber.wake?.();
    }
  }
}
