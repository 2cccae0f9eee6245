import type { DiagLogger } from "@opentelemetry/api";
import { capLogText } from "@repo/api-router";
import { type Clock, systemClock } from "@repo/auth/server";
import type { Logger } from "../logger.ts";

export interface DiagnosticsLogOptions {
  /** At most one line per window. Default 60 000 ms. */
  readonly windowMs?: number;
  /** Default: the system clock (tests drive a ManualClock). */
  readonly clock?: Clock;
}

/** The most characters of one diagnostic a line carries (a collector's error body can be long). */
const MAX_TEXT = 300;

// RFC 3986 §3.2.1 userinfo after a scheme's `://`: an endpoint URL may carry a password.
const URL_USERINFO = /:\/\/[^\s/?#@]*@/g;

/**
 * The OpenTelemetry SDK's error diagnostics (a failed export, an OTEL_* value it ignores) as warn
 * lines `otel_error`: at most one a window, carrying how many were left out since the previous
 * one, so a collector that is down costs the log a line a minute whatever the request rate. The
 * text is capped and any URL's user and password dropped; the SDK's warnings and below are not
 * asked for (one of them repeats a malformed OTLP header's value, which may be a credential).
 */
export function diagnosticsLog(log: Logger, options: DiagnosticsLogOptions = {}): DiagLogger {
  const windowMs = options.windowMs ?? 60_000;
  const clock = options.clock ?? systemClock;
  let lastAt: number | undefined;
  let suppressed = 0;
  const ignore = () => {};
  return {
    error(message: string) {
      const now = clock.now();
      if (lastAt !== undefined && now - lastAt < windowMs) {
        suppressed += 1;
        return;
      }
      lastAt = now;
      const text = capLogText(readable(String(message)).replace(URL_USERINFO, "://"), MAX_TEXT);
      log.warn({ event: "otel_error", suppressed }, `OpenTelemetry: ${text}`);
      suppressed = 0;
    },
    warn: ignore,
    info: ignore,
    debug: ignore,
    verbose: ignore,
  };
}

/**
 * The SDK reports an exception as its JSON (stack included): its message and code are what a
 * reader needs. Anything else is kept as written.
 */
function readable(message: string): string {
  if (!message.startsWith("{")) return message;
  try {
    const parsed = JSON.parse(message) as { message?: unknown; code?: unknown };
    if (typeof parsed.message !== "string") return message;
    return typeof parsed.code === "string" ? `${parsed.message} (${parsed.code})` : parsed.message;
  } catch {
    return message;
  }
}
