import { type Logger, pino } from "pino";

export type { Logger };

/**
 * Structured JSON logs on stdout. Authorization headers are redacted as a second line of defence:
 * the code never logs a token on purpose, and this keeps an accidental `req` log from doing so.
 *
 * Written synchronously: pino's default stream writes in the background, so a process.exit right
 * after a line (the "stopped" line at shutdown, "shutdown_failed") could drop it, or write it
 * before the line still in flight. The api logs little per request (a refusal at most), and
 * nothing on the benchmark's hot path.
 */
export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { service: "api" },
      redact: {
        paths: ["req.headers.authorization", "headers.authorization", "authorization", "token"],
        censor: "[redacted]",
      },
    },
    pino.destination({ dest: 1, sync: true }),
  );
}
