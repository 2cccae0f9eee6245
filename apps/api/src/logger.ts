import { type Logger, pino } from "pino";

export type { Logger };

/**
 * Structured JSON logs. Authorization headers are redacted as a second line of defence: the code
 * never logs a token on purpose, and this keeps an accidental `req` log from doing so.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: "api" },
    redact: {
      paths: ["req.headers.authorization", "headers.authorization", "authorization", "token"],
      censor: "[redacted]",
    },
  });
}
