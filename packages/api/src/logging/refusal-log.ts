import type { AuthError, AuthErrorCode } from "@repo/auth/server";
import type { Logger } from "pino";
import { capLogText, logDetail } from "./cap-log-text.ts";
import { RefusalRateLimit, type RefusalRateLimitOptions } from "./refusal-rate-limit.ts";

/** Where a request's refusals go; a context carries one (see RefusalLog). */
export interface RefusalRecorder {
  /** A call refused with `error`. */
  record(path: string, error: AuthError): void;
  /** A subscription refused because its subject holds too many open streams. */
  recordStreamRefusal(path: string, sub: string): void;
}

/** What RefusalLog needs of a response: whether it is over, and to hear when it is. */
export interface ClosingResponse {
  readonly closed: boolean;
  once(event: "close", listener: () => void): unknown;
}

/** Distinct procedures named in one refusal line; a batch holds at most API_MAX_BATCH_SIZE. */
const MAX_LOGGED_PATHS = 10;

/**
 * The api's refusal lines: one `auth_refused` line per request however many of its calls were
 * refused (a batch shares one token, so its calls fail alike), every field a request chooses
 * capped (capLogText), and at most so many lines per reason and minute (RefusalRateLimit).
 */
export class RefusalLog {
  readonly #log: Logger;
  readonly #limit: RefusalRateLimit;
  readonly #lines: RefusalLines;
  /** Each refusal its own line, at once: for callers with no HTTP request (tests). */
  readonly immediate: RefusalRecorder;

  constructor(log: Logger, options: RefusalRateLimitOptions = {}) {
    this.#log = log;
    this.#limit = new RefusalRateLimit(log, options);
    this.#lines = {
      write: (refusals) => this.#write(refusals),
      streamRefused: (path, sub) => this.#streamRefused(path, sub),
    };
    this.immediate = {
      record: (path, error) => {
        const refusals = new RequestRefusals();
        refusals.add(path, error);
        this.#write(refusals);
      },
      recordStreamRefusal: (path, sub) => this.#streamRefused(path, sub),
    };
  }

  /** A recorder for one request: its refusals make one line, written when `response` closes. */
  forResponse(response: ClosingResponse): RefusalRecorder {
    return new ResponseRefusals(response, this.#lines);
  }

  /** Report what the limit suppressed so far and stop its timer (shutdown). */
  close(): void {
    this.#limit.close();
  }

  /** Its own event (a subscription is one call), under the same limit. */
  #streamRefused(path: string, sub: string): void {
    if (!this.#limit.admit("too_many_streams")) return;
    this.#log.info(
      {
        event: "stream_refused",
        path: capLogText(path),
        reason: "too_many_streams",
        sub: capLogText(sub),
      },
      "request refused",
    );
  }

  #write(refusals: RequestRefusals): void {
    const first = refusals.first;
    if (first === undefined || !this.#limit.admit(first.error.code)) return;
    const { error } = first;
    this.#log.info(
      {
        event: "auth_refused",
        path: capLogText(first.path),
        reason: error.code,
        calls: refusals.calls,
        ...(refusals.paths.length > 1 ? { paths: refusals.paths.map((p) => capLogText(p)) } : {}),
        ...(refusals.otherReasons === undefined
          ? {}
          : { otherReasons: [...refusals.otherReasons] }),
        kid: error.kid === undefined ? undefined : capLogText(error.kid),
        sub: error.subject === undefined ? undefined : capLogText(error.subject),
        clientId: error.clientId === undefined ? undefined : capLogText(error.clientId),
        detail: logDetail(error.cause),
      },
      "request refused",
    );
  }
}

/** The refusals of one request, bounded whatever the request holds. */
class RequestRefusals {
  first: { readonly path: string; readonly error: AuthError } | undefined;
  calls = 0;
  readonly paths: string[] = [];
  otherReasons: Set<AuthErrorCode> | undefined;

  add(path: string, error: AuthError): void {
    this.calls++;
    if (this.first === undefined) this.first = { path, error };
    else if (error.code !== this.first.error.code) {
      this.otherReasons ??= new Set();
      this.otherReasons.add(error.code);
    }
    if (this.paths.length < MAX_LOGGED_PATHS && !this.paths.includes(path)) this.paths.push(path);
  }
}

interface RefusalLines {
  write(refusals: RequestRefusals): void;
  streamRefused(path: string, sub: string): void;
}

/** Gathers a request's refusals and hands them on once, when its response closes. */
class ResponseRefusals implements RefusalRecorder {
  readonly #response: ClosingResponse;
  readonly #log: RefusalLines;
  #pending: RequestRefusals | undefined;

  constructor(response: ClosingResponse, log: RefusalLines) {
    this.#response = response;
    this.#log = log;
  }

  recordStreamRefusal(path: string, sub: string): void {
    this.#log.streamRefused(path, sub);
  }

  record(path: string, error: AuthError): void {
    if (this.#pending === undefined) {
      this.#pending = new RequestRefusals();
      // A refusal after the response is over (a stream's token failing as it closed) is written
      // at once: no close event is left to wait for.
      if (this.#response.closed) queueMicrotask(() => this.#flush());
      else this.#response.once("close", () => this.#flush());
    }
    this.#pending.add(path, error);
  }

  #flush(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending === undefined) return;
    try {
      this.#log.write(pending);
    } catch {
      // Runs from an event: a log that cannot be written must not become an uncaught exception.
    }
  }
}
