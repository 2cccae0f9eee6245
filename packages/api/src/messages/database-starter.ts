import { type Clock, systemClock } from "@repo/auth/server";
import type { Database } from "@repo/db";
import type { Logger } from "pino";
import { capLogText } from "../logging/cap-log-text.ts";

/** Waits between start attempts: doubling from 250 ms, at most 5 s. */
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 5_000;

/** Where the start of the database stands (readiness reports it). */
export interface DatabaseStatus {
  /** True once the database has been opened and prepared; it stays true (see docs/operations.md). */
  readonly ready: boolean;
  /** Why it is not ready yet: the last attempt's error, in words. */
  readonly detail?: string;
}

export interface DatabaseStarterOptions {
  /** Opens the database (once; kept across attempts). */
  readonly open: () => Promise<Database>;
  /** Everything that needs the database to answer (migrations, LISTEN); retried until it passes. */
  readonly prepare: (database: Database) => Promise<void>;
  readonly log: Logger;
  /** Default: the system clock. */
  readonly clock?: Clock;
}

/**
 * Opens and prepares the database in the background, again and again until it answers: an api
 * whose database is away at start still serves everything else, and is not ready until then.
 */
export class DatabaseStarter {
  readonly #options: DatabaseStarterOptions;
  readonly #clock: Clock;
  #database: Database | undefined;
  #started: Promise<Database> | undefined;
  #ready = false;
  #lastError: string | undefined;
  #closed = false;
  #cancelRetry: (() => void) | undefined;

  constructor(options: DatabaseStarterOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** The prepared database: starts it on first call and resolves once it is ready. */
  ready(): Promise<Database> {
    this.#started ??= new Promise((resolve) => this.#attempt(resolve, 0));
    return this.#started;
  }

  /** The database if ready now. */
  current(): Database | undefined {
    return this.#ready ? this.#database : undefined;
  }

  status(): DatabaseStatus {
    if (this.#ready) return { ready: true };
    return { ready: false, detail: this.#lastError ?? "connecting to the database" };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#cancelRetry?.();
    await this.#database?.close();
  }

  #attempt(resolve: (database: Database) => void, failures: number): void {
    if (this.#closed) return;
    const run = async () => {
      this.#database ??= await this.#options.open();
      await this.#options.prepare(this.#database);
      return this.#database;
    };
    run().then(
      (database) => {
        if (this.#closed) return;
        this.#ready = true;
        this.#lastError = undefined;
        if (failures > 0) this.#options.log.info({ event: "database_ready" }, "database ready");
        resolve(database);
      },
      (error: unknown) => {
        if (this.#closed) return;
        const delayMs = Math.min(RETRY_BASE_MS * 2 ** failures, RETRY_MAX_MS);
        this.#lastError = capLogText(error instanceof Error ? describe(error) : String(error));
        this.#options.log.warn(
          { event: "database_unavailable", err: error, retryInMs: delayMs },
          "database not available; retrying",
        );
        this.#cancelRetry = this.#clock.setTimer(
          () => this.#attempt(resolve, failures + 1),
          delayMs,
          { background: true },
        );
      },
    );
  }
}

/** An error and its causes in one line (a DatabaseError's cause says what the driver saw). */
function describe(error: Error): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === "string" ? `${current.message} (${code})` : current.message);
    current = current.cause;
  }
  return parts.join(": ");
}
