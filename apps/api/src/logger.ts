import { type Logger, type LoggerOptions as PinoOptions, pino } from "pino";

export type { Logger };

/** Bytes of log lines held while stdout does not take them; past it new lines are dropped. */
export const LOG_BUFFER_MAX_BYTES = 1_048_576;

/** How long an exit that was not ended first (a crash) waits for stdout to take what is held. */
const UNENDED_EXIT_FLUSH_MS = 1_000;

export interface ApiLogger {
  readonly log: Logger;
  /** Lines dropped so far because stdout was not taking them and the buffer was full. */
  dropped(): number;
  /**
   * Write out what is held and end the log, before an exit: resolves true once every line is out,
   * false when stdout has not taken them within `timeoutMs` (those lines are lost, and the process
   * can still exit). Nothing may be logged afterwards. Never rejects.
   */
  end(timeoutMs: number): Promise<boolean>;
}

export interface LoggerOptions {
  /** Default LOG_BUFFER_MAX_BYTES. */
  readonly maxBufferBytes?: number;
}

/**
 * What every api logger shares, whatever writes its lines. Authorization headers are redacted as a
 * second line of defence: the code never logs a token on purpose, and this keeps an accidental
 * `req` log from doing so.
 */
export function apiLogOptions(level: string): PinoOptions {
  return {
    level,
    base: { service: "api" },
    redact: {
      paths: ["req.headers.authorization", "headers.authorization", "authorization", "token"],
      censor: "[redacted]",
    },
  };
}

/**
 * Structured JSON logs on stdout, written in the background (pino's asynchronous destination), so
 * that a slow or stopped reader of stdout (a log shipper under pressure, a full pipe) never holds
 * a request: lines wait in a buffer of at most `maxBufferBytes`, past which new lines are dropped,
 * counted (`dropped()`) and reported in a `log_lines_dropped` line once the buffer has drained.
 * Because writes trail the code, an exit must call `end` first (run-api.ts does), or its last lines
 * could be lost (an exit that did not, e.g. a crash, gets one more second to write them).
 * Redaction: apiLogOptions.
 */
export function createApiLogger(level: string, options: LoggerOptions = {}): ApiLogger {
  let dropped = 0;
  let droppedUnreported = 0;
  let ended = false;
  // sonic-boom asks this before retrying a write stdout refused for now (EAGAIN); only an exit
  // that was not ended first sets a deadline.
  let retryUntil = Number.POSITIVE_INFINITY;
  // Registered before the destination, so this runs before pino's own exit handler, which would
  // otherwise retry a refused write for as long as stdout stays full: the exit would never end.
  process.once("exit", () => {
    if (ended) return;
    ended = true;
    retryUntil = Date.now() + UNENDED_EXIT_FLUSH_MS;
    try {
      destination.flushSync();
    } catch {
      // stdout did not take the rest in time: it is lost rather than the exit.
    }
    destination.destroy();
  });
  const destination = pino.destination({
    // pino's default destination: reading process.stdout opens it as Node's stream, which makes a
    // pipe non-blocking. A full pipe then refuses a write (EAGAIN; sonic-boom retries on a timer)
    // instead of parking a thread of libuv's pool in write(), which the exit would wait for.
    dest: process.stdout.fd,
    sync: false,
    minLength: 0,
    maxLength: options.maxBufferBytes ?? LOG_BUFFER_MAX_BYTES,
    retryEAGAIN: () => Date.now() < retryUntil,
  });
  destination.on("drop", () => {
    dropped++;
    droppedUnreported++;
  });
  const log = pino(apiLogOptions(level), destination);
  destination.on("drain", () => {
    if (droppedUnreported === 0 || ended) return;
    const count = droppedUnreported;
    droppedUnreported = 0;
    log.warn(
      { event: "log_lines_dropped", dropped: count, droppedTotal: dropped },
      `${count} log line(s) dropped: stdout was not taking them`,
    );
  });
  // A write stdout failed for good (not EPIPE, which pino handles) must not crash the api.
  destination.on("error", () => {});

  return {
    log,
    dropped: () => dropped,
    end(timeoutMs) {
      if (ended) return Promise.resolve(true);
      ended = true;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          destination.off("close", onClose);
          // Discards what stdout has not taken, and keeps pino's exit handler from retrying it.
          destination.destroy();
          resolve(false);
        }, timeoutMs);
        const onClose = () => {
          clearTimeout(timer);
          resolve(true);
        };
        destination.once("close", onClose);
        try {
          destination.end();
        } catch {
          // Already destroyed: nothing more can be written.
          onClose();
        }
      });
    },
  };
}

/** createApiLogger's logger alone, for code that never exits through it (tests, benchmarks). */
export function createLogger(level: string): Logger {
  return createApiLogger(level).log;
}
