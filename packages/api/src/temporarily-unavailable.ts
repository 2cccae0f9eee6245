/**
 * A dependency the request needs (the database) is away for now: the api answers 503 with
 * Retry-After (RFC 9110 §10.2.3) on every transport, found as the tRPC error's cause by
 * refusalHeaders. The message is the api's own; what failed goes to the logs as the cause.
 */
export class TemporarilyUnavailable extends Error {
  override readonly name = "TemporarilyUnavailable";
  /** Seconds a client should wait before trying again. */
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number, options?: { readonly cause?: unknown }) {
    super("temporarily unavailable", options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
