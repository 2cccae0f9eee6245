import {
  type AccessTokenVerifierOptions,
  ASYMMETRIC_ALGORITHMS,
  type AsymmetricAlgorithm,
  KEY_SET_POLICY_BOUNDS,
  VERIFIER_BOUNDS,
} from "@repo/auth/server";
import {
  boolVar,
  intVar,
  listVar,
  localIssuerFallback,
  parseEnv,
  tenantFromEnv,
  urlVar,
} from "@repo/env";
import type { LevelWithSilent } from "pino";
import { z } from "zod";

type Env = Readonly<Record<string, string | undefined>>;

export interface ApiConfig {
  readonly port: number;
  readonly host: string | undefined;
  readonly logLevel: LevelWithSilent;
  readonly warmKeySet: boolean;
  readonly maxBodyBytes: number;
  readonly verifier: AccessTokenVerifierOptions;
  /** Set when no tenant is configured and the local issuer stands in: the line to log at start. */
  readonly localIssuerNotice?: string;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Bounds and defaults of the api's own settings (the verifier's live in @repo/auth). */
export const API_BOUNDS = {
  port: { min: 0, max: 65_535, default: 3000 },
  maxBodyBytes: { min: 1024, max: 10_485_760, default: 65_536 },
} as const;

const apiEnvShape = {
  PORT: intVar("a TCP port", API_BOUNDS.port).default(API_BOUNDS.port.default),
  HOST: z
    .string()
    .min(1)
    .describe("an interface address or host name, e.g. 0.0.0.0 or 127.0.0.1")
    .optional(),
  LOG_LEVEL: z
    .enum(LOG_LEVELS)
    .describe(`one of ${LOG_LEVELS.join(", ")}`)
    .default("info"),
  AUTHACTION_JWKS_WARM: boolVar("true or false").default(false),
  API_MAX_BODY_BYTES: intVar("bytes", API_BOUNDS.maxBodyBytes).default(
    API_BOUNDS.maxBodyBytes.default,
  ),
};

const { clockToleranceSeconds, maxTokenLength, cacheMaxEntries } = VERIFIER_BOUNDS;
const verifierEnvShape = {
  AUTHACTION_AUDIENCE: listVar(
    "the API identifier (audience) tokens must carry; several comma-separated",
  ),
  AUTHACTION_JWKS_URI: urlVar("an absolute http(s) URL of the issuer's JWKS").optional(),
  AUTHACTION_ALGORITHMS: z
    .string()
    .transform((v) => v.split(",").map((s) => s.trim()))
    .pipe(z.array(z.enum(ASYMMETRIC_ALGORITHMS)).min(1))
    .describe(`a comma-separated list of ${ASYMMETRIC_ALGORITHMS.join(", ")} (no HMAC, no none)`)
    .optional(),
  AUTHACTION_CLOCK_TOLERANCE_SECONDS: intVar("whole seconds", clockToleranceSeconds).optional(),
  AUTHACTION_MAX_TOKEN_LENGTH: intVar("characters", maxTokenLength).optional(),
  AUTHACTION_REQUIRE_AT_JWT: boolVar("true or false").optional(),
  AUTHACTION_JWKS_MAX_AGE_MS: intVar("milliseconds", KEY_SET_POLICY_BOUNDS.maxAgeMs).optional(),
  AUTHACTION_JWKS_COOLDOWN_MS: intVar("milliseconds", KEY_SET_POLICY_BOUNDS.cooldownMs).optional(),
  AUTHACTION_JWKS_TIMEOUT_MS: intVar("milliseconds", KEY_SET_POLICY_BOUNDS.timeoutMs).optional(),
  AUTHACTION_JWKS_MAX_STALE_MS: intVar("milliseconds", KEY_SET_POLICY_BOUNDS.maxStaleMs).optional(),
  AUTHACTION_TOKEN_CACHE_MAX_ENTRIES: intVar(
    "an entry count (0 is off)",
    cacheMaxEntries,
  ).optional(),
};

/**
 * Verifier options from AUTHACTION_* variables (README lists each with its default). Unset
 * variables are left out, so the verifier's own defaults apply.
 * @throws ConfigurationError naming the first missing or malformed variable.
 */
export function verifierOptionsFromEnv(env: Env): AccessTokenVerifierOptions {
  const tenant = tenantFromEnv(env);
  const e = parseEnv(verifierEnvShape, env);
  const keySet = {
    maxAgeMs: e.AUTHACTION_JWKS_MAX_AGE_MS,
    cooldownMs: e.AUTHACTION_JWKS_COOLDOWN_MS,
    timeoutMs: e.AUTHACTION_JWKS_TIMEOUT_MS,
    maxStaleMs: e.AUTHACTION_JWKS_MAX_STALE_MS,
  };
  const cacheEntries = e.AUTHACTION_TOKEN_CACHE_MAX_ENTRIES;
  return withoutUndefined({
    issuer: tenant.issuers,
    audience: e.AUTHACTION_AUDIENCE,
    jwksUri: e.AUTHACTION_JWKS_URI ?? `${tenant.baseUrl}/.well-known/jwks.json`,
    algorithms: e.AUTHACTION_ALGORITHMS as AsymmetricAlgorithm[] | undefined,
    clockToleranceSeconds: e.AUTHACTION_CLOCK_TOLERANCE_SECONDS,
    maxTokenLength: e.AUTHACTION_MAX_TOKEN_LENGTH,
    requireAccessTokenType: e.AUTHACTION_REQUIRE_AT_JWT,
    keySet: withoutUndefined(keySet),
    cache:
      cacheEntries === undefined
        ? undefined
        : cacheEntries === 0
          ? false
          : { maxEntries: cacheEntries },
  }) as AccessTokenVerifierOptions;
}

/**
 * The api's whole configuration, from the environment (README lists every variable). With no
 * tenant configured and NODE_ENV not `production`, the local issuer stands in (see
 * localIssuerFallback in @repo/env).
 * @throws ConfigurationError naming the first missing or malformed variable.
 */
export function apiConfigFromEnv(givenEnv: Env): ApiConfig {
  const fallback = localIssuerFallback(givenEnv);
  const env = fallback?.env ?? givenEnv;
  const verifier = verifierOptionsFromEnv(env);
  const e = parseEnv(apiEnvShape, env);
  return {
    ...(fallback === undefined ? {} : { localIssuerNotice: fallback.notice }),
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    warmKeySet: e.AUTHACTION_JWKS_WARM,
    maxBodyBytes: e.API_MAX_BODY_BYTES,
    verifier,
  };
}

function withoutUndefined<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(object).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}
