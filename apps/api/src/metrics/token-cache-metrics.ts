import type { VerifierStats } from "@repo/auth/server";
import { Counter, Gauge, type Registry } from "prom-client";

/**
 * The verified-token cache, read from the verifier's own counters at scrape time: nothing is added
 * to the verification path.
 */
export function tokenCacheMetrics(registry: Registry, stats: () => VerifierStats): void {
  new Counter({
    name: "auth_token_cache_hits_total",
    help: "Token verifications answered from the verified-token cache",
    registers: [registry],
    collect() {
      // The verifier counts since its creation, as a Prometheus counter does: mirror its value.
      this.reset();
      this.inc(stats().cacheHits);
    },
  });
  new Counter({
    name: "auth_token_cache_misses_total",
    help: "Token verifications the verified-token cache could not answer (full verification ran)",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(stats().cacheMisses);
    },
  });
  new Gauge({
    name: "auth_token_cache_entries",
    help: "Verified tokens held in the cache",
    registers: [registry],
    collect() {
      this.set(stats().cacheSize);
    },
  });
  new Gauge({
    name: "auth_token_cache_max_entries",
    help: "The cache's bound (0: the cache is off)",
    registers: [registry],
    collect() {
      this.set(stats().cacheMaxEntries);
    },
  });
}
