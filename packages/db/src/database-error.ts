/** Why a database operation failed, as callers branch on it (never on the message). */
export type DatabaseErrorCode =
  /** The server cannot be reached, refused or dropped the connection, or is shutting down. */
  | "ERR_DATABASE_UNAVAILABLE"
  /** The operation did not finish within its deadline (DATABASE_STATEMENT_TIMEOUT_MS). */
  | "ERR_DATABASE_TIMEOUT";

/**
 * A failure that says the database is (for now) out of reach, not that the request was wrong: the
 * api answers 503 with Retry-After. Its message names no host, user or SQL; the driver's error is
 * the `cause`, for the logs.
 */
export class DatabaseError extends Error {
  override readonly name = "DatabaseError";
  readonly code: DatabaseErrorCode;

  constructor(code: DatabaseErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isDatabaseError(error: unknown): error is DatabaseError {
  return error instanceof DatabaseError;
}

/**
 * SQLSTATE classes and codes of a server that is away, not of a bad statement (PostgreSQL
 * appendix A): 08 connection exception, 53 insufficient resources (too many connections), 57P01
 * admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up or in recovery),
 * 57014 query canceled (the statement timeout).
 */
const UNAVAILABLE_SQLSTATES = /^(08|53)|^57P0[123]$|^57014$/;

/** Node's socket errors and postgres.js's own connection errors. */
const UNAVAILABLE_ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
]);

/**
 * The driver's failure as a DatabaseError when it means "the database is away" (see above);
 * anything else (a constraint, a bug in a statement) is returned unchanged, to surface as a 500.
 */
export function classifyDatabaseFailure(error: unknown): unknown {
  if (error instanceof DatabaseError) return error;
  // Drizzle wraps the driver's error (DrizzleQueryError, the driver's as its cause).
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth += 1) {
    if (current instanceof DatabaseError) return current;
    const code = (current as { code?: unknown }).code;
    if (
      typeof code === "string" &&
      (UNAVAILABLE_ERRNOS.has(code) || UNAVAILABLE_SQLSTATES.test(code))
    ) {
      return new DatabaseError("ERR_DATABASE_UNAVAILABLE", "the database is unavailable", {
        cause: error,
      });
    }
    current = (current as { cause?: unknown }).cause;
  }
  return error;
}
