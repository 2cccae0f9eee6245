import { REFUSAL_RATE_LIMIT_DEFAULTS } from "@repo/api-router";
import {
  type AccessTokenVerifierOptions,
  ASYMMETRIC_ALGORITHMS,
  type AsymmetricAlgorithm,
  type DpopMode,
  KEY_SET_POLICY_BOUNDS,
  VERIFIER_BOUNDS,
} from "@repo/auth/server";
import {
  boolVar,
  ConfigurationError,
  intVar,
  isDevelopmentMode,
  listVar,
  localIssuerFallback,
  parseEnv,
  refuseInsecureHttp,
  refuseUnknownAuthactionVariables,
  tenantFromEnv,
  urlVar,
} from "@repo/env";
import { LOCAL_ISSUER_DEFAULTS } from "@repo/issuer/defaults";
import type { LevelWithSilent } from "pino";
import { z } from "zod";

type Env = Readonly<Record<string, string | undefined>>;

/** Limits of the HTTP server (README lists each with its default, docs/security.md why). */
export interface HttpLimits {
  readonly maxBatchSize: number;
  readonly maxUrlBytes: number;
  readonly maxHeaderBytes: number;
  readonly keepAliveTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/** What happens after SIGTERM (docs/operations.md). */
export interface ShutdownTiming {
  readonly delayMs: number;
  readonly timeoutMs: number;
}

/** How the api treats DPoP (RFC 9449): AUTHACTION_DPOP, AUTHACTION_DPOP_NONCE(_SECRET). */
export interface DpopSettings {
  readonly mode: DpopMode;
  /**
   * Server nonces required in proofs; `secret` is the key every replica shares (undefined: a
   * random key made at start, for a single replica). Undefined: no nonces.
   */
  readonly nonces: { readonly secret: string | undefined } | undefined;
}

export interface ApiConfig {
  readonly port: number;
  readonly host: string | undefined;
  readonly logLevel: LevelWithSilent;
  /** Refusal log lines per reason per minute (logging/refusal-rate-limit.ts). */
  readonly logRefusalsPerMinute: number;
  readonly warmKeySet: boolean;
  readonly maxBodyBytes: number;
  readonly http: HttpLimits;
  readonly shutdown: ShutdownTiming;
  readonly maxStreamsPerSubject: number;
  /** Base URL clients reach the api at (RFC 9728 metadata); undefined: the listening URL. */
  readonly publicUrl: string | undefined;
  /** DPoP (RFC 9449): the mode, and server nonces (undefined: off) with their shared secret. */
  readonly dpop: DpopSettings;
  readonly verifier: AccessTokenVerifierOptions;
  /** The metrics listener; undefined (METRICS_PORT unset) means no metrics at all. */
  readonly metrics: { readonly port: number; readonly host: string | undefined } | undefined;
  /** Set when no tenant is configured and the local issuer stands in: the line to log at start. */
  readonly localIssuerNotice?: string;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Bounds and defaults of the api's own settings (the verifier's live in @repo/auth). */
export const API_BOUNDS = {
  port: { min: 0, max: 65_535, default: 3000 },
  maxBodyBytes: { min: 1024, max: 10_485_760, default: 65_536 },
  /** No default: metrics are off unless a port is given. */
  metricsPort: { min: 0, max: 65_535 },
  /** Calls in one tRPC batch; one request must never cost a thousand calls. */
  maxBatchSize: { min: 1, max: 1_000, default: 10 },
  /** Request target (path and query) in bytes; above it 414. */
  maxUrlBytes: { min: 256, max: 65_536, default: 8_192 },
  /** Request line and headers together (Node's maxHeaderSize); above it 431. */
  maxHeaderBytes: { min: 1_024, max: 65_536, default: 16_384 },
  /** Above the idle timeout of common load balancers (60 s), so they never reuse a closed socket. */
  keepAliveTimeoutMs: { min: 1_000, max: 600_000, default: 65_000 },
  /** Above keepAliveTimeoutMs. */
  headersTimeoutMs: { min: 1_000, max: 600_000, default: 66_000 },
  /** At least headersTimeoutMs: Node refuses a headers timeout above the request timeout. */
  requestTimeoutMs: { min: 1_000, max: 600_000, default: 66_000 },
  shutdownDelayMs: { min: 0, max: 120_000, default: 0 },
  shutdownTimeoutMs: { min: 100, max: 600_000, default: 10_000 },
  maxStreamsPerSubject: { min: 1, max: 10_000, default: 10 },
  /** Refusal lines per reason per minute; a flood of refused requests is counted, not logged. */
  logRefusalsPerMinute: {
    min: 0,
    max: 1_000_000,
    default: REFUSAL_RATE_LIMIT_DEFAULTS.linesPerReason,
  },
} as const;

/** The default HTTP limits, for startApi callers that give none. */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBatchSize: API_BOUNDS.maxBatchSize.default,
  maxUrlBytes: API_BOUNDS.maxUrlBytes.default,
  maxHeaderBytes: API_BOUNDS.maxHeaderBytes.default,
  keepAliveTimeoutMs: API_BOUNDS.keepAliveTimeoutMs.default,
  headersTimeoutMs: API_BOUNDS.headersTimeoutMs.default,
  requestTimeoutMs: API_BOUNDS.requestTimeoutMs.default,
};

const ms = (bounds: { min: number; max: number; default: number }) =>
  intVar("milliseconds", bounds).default(bounds.default);

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
  API_LOG_REFUSALS_PER_MINUTE: intVar("log lines", API_BOUNDS.logRefusalsPerMinute).default(
    API_BOUNDS.logRefusalsPerMinute.default,
  ),
  AUTHACTION_JWKS_WARM: boolVar("true or false").default(false),
  API_MAX_BODY_BYTES: intVar("bytes", API_BOUNDS.maxBodyBytes).default(
    API_BOUNDS.maxBodyBytes.default,
  ),
  METRICS_PORT: intVar("a TCP port for /metrics", API_BOUNDS.metricsPort).optional(),
  METRICS_HOST: z
    .string()
    .min(1)
    .describe("an interface address for /metrics, e.g. 127.0.0.1 or 0.0.0.0")
    .optional(),
  API_MAX_BATCH_SIZE: intVar("a call count", API_BOUNDS.maxBatchSize).default(
    API_BOUNDS.maxBatchSize.default,
  ),
  API_MAX_URL_BYTES: intVar("bytes", API_BOUNDS.maxUrlBytes).default(
    API_BOUNDS.maxUrlBytes.default,
  ),
  API_MAX_HEADER_BYTES: intVar("bytes", API_BOUNDS.maxHeaderBytes).default(
    API_BOUNDS.maxHeaderBytes.default,
  ),
  API_KEEP_ALIVE_TIMEOUT_MS: ms(API_BOUNDS.keepAliveTimeoutMs),
  API_HEADERS_TIMEOUT_MS: ms(API_BOUNDS.headersTimeoutMs),
  API_REQUEST_TIMEOUT_MS: ms(API_BOUNDS.requestTimeoutMs),
  API_SHUTDOWN_DELAY_MS: ms(API_BOUNDS.shutdownDelayMs),
  API_SHUTDOWN_TIMEOUT_MS: ms(API_BOUNDS.shutdownTimeoutMs),
  API_MAX_STREAMS_PER_SUBJECT: intVar("open streams", API_BOUNDS.maxStreamsPerSubject).default(
    API_BOUNDS.maxStreamsPerSubject.default,
  ),
  API_PUBLIC_URL: urlVar(
    "an absolute http(s) URL clients reach the api at, e.g. https://api.example.com",
  ).optional(),
  // One .env may serve the client too, whose AUTHACTION_DPOP is true or false: read here as the
  // mode those words imply rather than stopping the api.
  AUTHACTION_DPOP: z
    .enum(["allowed", "required", "disabled", "true", "false"])
    .default("allowed")
    .transform((v): DpopMode => (v === "true" ? "allowed" : v === "false" ? "disabled" : v))
    .describe("allowed, required or disabled (default allowed)"),
  AUTHACTION_DPOP_NONCE: boolVar("true or false").default(false),
  AUTHACTION_DPOP_NONCE_SECRET: z
    .string()
    .min(32, "at least 32 characters")
    .describe("a random secret of at least 32 characters, the same on every replica")
    .optional(),
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
  AUTHACTION_JWKS_MAX_BYTES: intVar("bytes", KEY_SET_POLICY_BOUNDS.maxBytes).optional(),
  AUTHACTION_JWKS_MAX_KEYS: intVar("a key count", KEY_SET_POLICY_BOUNDS.maxKeys).optional(),
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
    maxBytes: e.AUTHACTION_JWKS_MAX_BYTES,
    maxKeys: e.AUTHACTION_JWKS_MAX_KEYS,
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
 * tenant configured, the local issuer stands in in development mode only (see localIssuerFallback
 * in @repo/env); outside it, http:// trust anchors to other hosts than loopback and a placeholder
 * API_PUBLIC_URL are refused. An AUTHACTION_* name no app reads is refused first.
 * @throws ConfigurationError naming the first missing, malformed or refused variable.
 */
export function apiConfigFromEnv(givenEnv: Env): ApiConfig {
  refuseUnknownAuthactionVariables(givenEnv);
  const fallback = localIssuerFallback(givenEnv, LOCAL_ISSUER_DEFAULTS);
  const env = fallback?.env ?? givenEnv;
  const verifier = verifierOptionsFromEnv(env);
  const e = parseEnv(apiEnvShape, env);
  refuseInsecureHttp(env, ["AUTHACTION_ISSUER", "AUTHACTION_JWKS_URI", "API_PUBLIC_URL"]);
  if (e.API_PUBLIC_URL !== undefined) {
    refuseNonBaseUrl(e.API_PUBLIC_URL);
    refusePlaceholderPublicUrl(e.API_PUBLIC_URL, env);
  }
  return {
    ...(fallback === undefined ? {} : { localIssuerNotice: fallback.notice }),
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    logRefusalsPerMinute: e.API_LOG_REFUSALS_PER_MINUTE,
    warmKeySet: e.AUTHACTION_JWKS_WARM,
    maxBodyBytes: e.API_MAX_BODY_BYTES,
    http: httpLimits(e),
    shutdown: { delayMs: e.API_SHUTDOWN_DELAY_MS, timeoutMs: e.API_SHUTDOWN_TIMEOUT_MS },
    maxStreamsPerSubject: e.API_MAX_STREAMS_PER_SUBJECT,
    publicUrl: e.API_PUBLIC_URL?.replace(/\/+$/, ""),
    dpop: dpopSettings(e.AUTHACTION_DPOP, e.AUTHACTION_DPOP_NONCE, e.AUTHACTION_DPOP_NONCE_SECRET),
    verifier,
    metrics: metricsListener(e.METRICS_PORT, e.METRICS_HOST, e.PORT),
  };
}

/**
 * The DPoP settings; a nonce secret without nonces, or nonces with DPoP disabled, is a
 * configuration that does not do what its author meant, and is refused.
 */
function dpopSettings(mode: DpopMode, nonce: boolean, secret: string | undefined): DpopSettings {
  if (secret !== undefined && !nonce) {
    throw new ConfigurationError(
      "AUTHACTION_DPOP_NONCE_SECRET",
      "is set but AUTHACTION_DPOP_NONCE is not true: set it to true, or remove the secret",
    );
  }
  if (nonce && mode === "disabled") {
    throw new ConfigurationError(
      "AUTHACTION_DPOP_NONCE",
      "is true but AUTHACTION_DPOP is disabled: nonces apply to DPoP proofs only",
    );
  }
  return { mode, nonces: nonce ? { secret } : undefined };
}

/**
 * Refuse an API_PUBLIC_URL with user info, a query or a fragment: request paths are appended to
 * it, for the metadata URL and for the `htu` a DPoP proof must name, and a query would swallow
 * every path (each proof would then name the same URL). The value is not repeated: user info may
 * be a password.
 */
function refuseNonBaseUrl(publicUrl: string): void {
  const url = new URL(publicUrl);
  if (url.username !== "" || url.password !== "" || /[?#]/.test(publicUrl)) {
    throw new ConfigurationError(
      "API_PUBLIC_URL",
      "must be a base URL without user info, query or fragment, e.g. https://api.example.com",
    );
  }
}

/**
 * Outside development mode, refuse an API_PUBLIC_URL under the reserved `.invalid` TLD (RFC 6761
 * §6.4): it is the Kubernetes base's placeholder, which an overlay must replace, and every
 * challenge would otherwise send clients to it for the api's metadata.
 */
function refusePlaceholderPublicUrl(publicUrl: string, env: Env): void {
  if (isDevelopmentMode(env)) return;
  const host = new URL(publicUrl).hostname.replace(/\.$/, "");
  if (host === "invalid" || host.endsWith(".invalid")) {
    throw new ConfigurationError(
      "API_PUBLIC_URL",
      "names a host under .invalid, a placeholder: set the URL clients reach the api at",
    );
  }
}

/** Off unless METRICS_PORT is set; never the api's own port (one of the two could not listen). */
function metricsListener(
  port: number | undefined,
  host: string | undefined,
  apiPort: number,
): ApiConfig["metrics"] {
  if (port === undefined) return undefined;
  if (port !== 0 && port === apiPort) {
    throw new ConfigurationError("METRICS_PORT", "expected a port other than PORT's");
  }
  return { port, host };
}

function httpLimits(e: z.infer<z.ZodObject<typeof apiEnvShape>>): HttpLimits {
  // Node closes an idle keep-alive socket after keepAliveTimeout; a headers timeout at or under it
  // could cut a client that starts a request just as the socket idles out (the order load balancer
  // guides ask for), and Node itself refuses a headers timeout above the request timeout.
  if (e.API_HEADERS_TIMEOUT_MS <= e.API_KEEP_ALIVE_TIMEOUT_MS) {
    throw new ConfigurationError(
      "API_HEADERS_TIMEOUT_MS",
      `must be above API_KEEP_ALIVE_TIMEOUT_MS (${e.API_KEEP_ALIVE_TIMEOUT_MS})`,
    );
  }
  if (e.API_REQUEST_TIMEOUT_MS < e.API_HEADERS_TIMEOUT_MS) {
    throw new ConfigurationError(
      "API_REQUEST_TIMEOUT_MS",
      `must be at least API_HEADERS_TIMEOUT_MS (${e.API_HEADERS_TIMEOUT_MS})`,
    );
  }
  return {
    maxBatchSize: e.API_MAX_BATCH_SIZE,
    maxUrlBytes: e.API_MAX_URL_BYTES,
    maxHeaderBytes: e.API_MAX_HEADER_BYTES,
    keepAliveTimeoutMs: e.API_KEEP_ALIVE_TIMEOUT_MS,
    headersTimeoutMs: e.API_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: e.API_REQUEST_TIMEOUT_MS,
  };
}

function withoutUndefined<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(object).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}
