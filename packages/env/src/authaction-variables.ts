import { ConfigurationError } from "./configuration-error.ts";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Every `AUTHACTION_*` variable any app reads (README's configuration tables). A feature that reads
 * a new one adds it here, or the api and the client refuse to start when it is set.
 */
export const AUTHACTION_VARIABLES = [
  "AUTHACTION_ALGORITHMS",
  "AUTHACTION_ALLOW_INSECURE_HTTP",
  "AUTHACTION_AUDIENCE",
  "AUTHACTION_CLIENT_AUTH_METHOD",
  "AUTHACTION_CLIENT_ID",
  "AUTHACTION_CLIENT_KEY_ID",
  "AUTHACTION_CLIENT_PRIVATE_KEY",
  "AUTHACTION_CLIENT_PRIVATE_KEY_FILE",
  "AUTHACTION_CLIENT_SECRET",
  "AUTHACTION_CLOCK_TOLERANCE_SECONDS",
  "AUTHACTION_DOMAIN",
  "AUTHACTION_DPOP",
  "AUTHACTION_DPOP_NONCE",
  "AUTHACTION_DPOP_NONCE_SECRET",
  "AUTHACTION_ISSUER",
  "AUTHACTION_JWKS_COOLDOWN_MS",
  "AUTHACTION_JWKS_MAX_AGE_MS",
  "AUTHACTION_JWKS_MAX_BYTES",
  "AUTHACTION_JWKS_MAX_KEYS",
  "AUTHACTION_JWKS_MAX_STALE_MS",
  "AUTHACTION_JWKS_TIMEOUT_MS",
  "AUTHACTION_JWKS_URI",
  "AUTHACTION_JWKS_WARM",
  "AUTHACTION_MAX_TOKEN_LENGTH",
  "AUTHACTION_REQUIRE_AT_JWT",
  "AUTHACTION_TOKEN_CACHE_MAX_ENTRIES",
  "AUTHACTION_TOKEN_REQUEST_FORMAT",
  "AUTHACTION_TOKEN_URL",
] as const;

const PREFIX = "AUTHACTION_";

/**
 * Refuse an `AUTHACTION_*` name no app reads (any case: Windows folds it), naming it and the known
 * name it is closest to, if one is close. A misspelt variable is otherwise silently ignored: with
 * `AUTHACTION_DOMIAN` the tenant looks configured to whoever wrote it, and is not.
 * @throws ConfigurationError naming the first unknown variable (in name order).
 */
export function refuseUnknownAuthactionVariables(env: Env): void {
  const known: readonly string[] = AUTHACTION_VARIABLES;
  const unknown = Object.keys(env)
    .filter((name) => name.toUpperCase().startsWith(PREFIX) && !known.includes(name))
    .sort();
  const name = unknown[0];
  if (name === undefined) return;
  const guess = closestKnownName(name);
  throw new ConfigurationError(
    name,
    `is not a variable any app reads${guess === undefined ? "" : `; did you mean ${guess}?`}`,
  );
}

/** The known name nearest `name`, when a few typing slips (a third of its length at most) away. */
function closestKnownName(name: string): string | undefined {
  const typed = name.toUpperCase().slice(PREFIX.length);
  let best: { name: string; distance: number } | undefined;
  for (const candidate of AUTHACTION_VARIABLES) {
    const suffix = candidate.slice(PREFIX.length);
    const distance = editDistance(typed, suffix);
    const allowed = Math.max(2, Math.floor(suffix.length / 3));
    if (distance <= allowed && (best === undefined || distance < best.distance)) {
      best = { name: candidate, distance };
    }
  }
  return best?.name;
}

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours
 * (`DOMIAN` is one slip from `DOMAIN`, where plain Levenshtein counts two).
 */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, at(i - 2, j - 2) + 1);
      }
      row[j] = distance;
    }
  }
  return at(a.length, b.length);
}
