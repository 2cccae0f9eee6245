import { Counter, type Registry } from "prom-client";

/**
 * Log lines the api dropped because stdout was not taking them (its bounded buffer was full), read
 * from the logger's own count at scrape time.
 */
export function logMetrics(registry: Registry, dropped: () => number): void {
  new Counter({
    name: "api_log_lines_dropped_total",
    help: "Log lines dropped because stdout did not take them and the log buffer was full",
    registers: [registry],
    collect() {
      // The logger counts since the start, as a Prometheus counter does: mirror its value.
      this.reset();
      this.inc(dropped());
    },
  });
}
