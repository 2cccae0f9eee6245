import { pino } from "pino";
import { prettyFactory } from "pino-pretty";
import { type ApiLogger, apiLogOptions } from "./logger.ts";

/**
 * Development logs (`pnpm dev`): the production logger's lines and redaction, each written as one
 * readable line (time, level, message, then the fields) instead of JSON. Only dev.ts imports this,
 * so pino-pretty (a devDependency) never reaches the production bundle built from main.ts. Lines
 * go straight to stdout, not through production's bounded background buffer: in development a
 * slow terminal may slow the api, and no line is dropped.
 */
export function createPrettyApiLogger(level: string): ApiLogger {
  const prettify = prettyFactory({
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname,service",
    singleLine: true,
    // Only real errors get their own indented lines (stack included); an `error` text stays inline.
    errorLikeObjectKeys: ["err"],
  });
  const log = pino(apiLogOptions(level), {
    write: (line: string) => {
      process.stdout.write(prettify(line));
    },
  });
  return {
    log,
    dropped: () => 0,
    end(timeoutMs) {
      if (!process.stdout.writableNeedDrain) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        process.stdout.once("drain", () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
}
