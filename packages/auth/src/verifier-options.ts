import { z } from "zod";
import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from "./asymmetric-algorithms.ts";
import { type Clock, type Fetch, globalFetch, systemClock } from "./clock.ts";
import type { KeySetEvent } from "./key-set/key-set-event.ts";
import {
  DEFAULT_KEY_SET_POLICY,
  KEY_SET_POLICY_BOUNDS,
  type KeySetPolicy,
} from "./key-set/key-set-policy.ts";

/**
 * Bounds and defaults of the verifier's numeric options, written once: the option schema below and
 * the api's environment variables both read them.
 */
export const VERIFIER_BOUNDS = {
  /** Beyond 300 s a tolerance silently weakens exp/nbf (GHSA-687g-22h4-j4w4). */
  clockToleranceSeconds: { min: 0, max: 300, default: 5 },
  maxTokenLength: { min: 256, max: 65_536, default: 8192 },
  /** 0 turns the verified-token cache off. */
  cacheMaxEntries: { min: 0, max: 10_000_000, default: 10_000 },
} as const;

/** Upper bound for the clock tolerance (see VERIFIER_BOUNDS). */
export const MAX_CLOCK_TOLERANCE_SECONDS = VERIFIER_BOUNDS.clockToleranceSeconds.max;

export interface AccessTokenVerifierOptions {
  /** The `iss` values accepted, exactly (RFC 8414 §3.3: no normalisation, a trailing slash differs). */
  issuer: string | readonly string[];
  /** The token's `aud` must contain at least one of these. */
  audience: string | readonly string[];
  /** Where the issuer publishes its keys. */
  jwksUri: string;
  /** Allowed `alg` values. Default `["RS256"]`; only asymmetric algorithms may be listed. */
  algorithms?: readonly AsymmetricAlgorithm[];
  /** Leeway for `exp`, `nbf` and `iat`, in whole seconds, 0-300. Default 5 (VERIFIER_BOUNDS). */
  clockToleranceSeconds?: number;
  /** Longer tokens are refused before any parsing. Default 8192 characters. */
  maxTokenLength?: number;
  /** Require the RFC 9068 `typ: at+jwt` header. Default false (AuthAction does not send it). */
  requireAccessTokenType?: boolean;
  /** Key set refresh policy; see KeySetPolicy for defaults. */
  keySet?: Partial<KeySetPolicy>;
  /** Verified-token cache: maximum entries (default 10,000), or `false` to verify every time. */
  cache?: { maxEntries?: number } | false;
  /**
   * Told about key set refreshes and their failures (for logging). Called from background work:
   * a throw or a rejected promise from it is ignored, never raised.
   */
  onKeySetEvent?: (event: KeySetEvent) => void;
  /** Time for expiry checks, the token cache and key set refreshes. Default: the system clock. */
  clock?: Clock;
  /** How the JWKS is fetched. Default: the global fetch. */
  fetch?: Fetch;
}

export interface ResolvedVerifierOptions {
  readonly issuers: readonly string[];
  readonly audiences: readonly string[];
  readonly jwksUri: string;
  readonly algorithms: readonly AsymmetricAlgorithm[];
  readonly clockToleranceSeconds: number;
  readonly maxTokenLength: number;
  readonly requireAccessTokenType: boolean;
  readonly keySet: KeySetPolicy;
  readonly cacheMaxEntries: number;
  readonly onKeySetEvent: (event: KeySetEvent) => void;
  readonly clock: Clock;
  readonly fetch: Fetch;
}

const httpUrl = z.string().refine((value) => {
  try {
    const { protocol } = new URL(value);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
}, "an absolute http(s) URL");
const nonEmptyList = (item: z.ZodType<string>) =>
  z.union([item, z.array(item).min(1)]).transform((v) => (typeof v === "string" ? [v] : v));
const bounded = (b: { readonly min: number; readonly max: number }) =>
  z.number().int().min(b.min).max(b.max);
const { clockToleranceSeconds, maxTokenLength, cacheMaxEntries } = VERIFIER_BOUNDS;

const schema = z.object({
  issuer: nonEmptyList(z.string().min(1)),
  audience: nonEmptyList(z.string().min(1)),
  jwksUri: httpUrl,
  algorithms: z.array(z.enum(ASYMMETRIC_ALGORITHMS)).min(1).default(["RS256"]),
  clockToleranceSeconds: bounded(clockToleranceSeconds).default(clockToleranceSeconds.default),
  maxTokenLength: bounded(maxTokenLength).default(maxTokenLength.default),
  requireAccessTokenType: z.boolean().default(false),
  keySet: z
    .object({
      maxAgeMs: bounded(KEY_SET_POLICY_BOUNDS.maxAgeMs).optional(),
      cooldownMs: bounded(KEY_SET_POLICY_BOUNDS.cooldownMs).optional(),
      timeoutMs: bounded(KEY_SET_POLICY_BOUNDS.timeoutMs).optional(),
      maxStaleMs: bounded(KEY_SET_POLICY_BOUNDS.maxStaleMs).optional(),
      maxBytes: bounded(KEY_SET_POLICY_BOUNDS.maxBytes).optional(),
      maxKeys: bounded(KEY_SET_POLICY_BOUNDS.maxKeys).optional(),
    })
    .default({}),
  cache: z
    .union([
      z.literal(false),
      z.object({
        maxEntries: z.number().int().min(1).max(cacheMaxEntries.max).optional(),
      }),
    ])
    .default({}),
});

/**
 * Validate verifier options once, at creation. A bad option is a programming error of the caller
 * (an app validates its configuration before it gets here), reported as a TypeError naming the
 * option, as jose does for bad arguments.
 */
export function resolveVerifierOptions(
  options: AccessTokenVerifierOptions,
): ResolvedVerifierOptions {
  const result = schema.safeParse(options);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join(".") || "options";
    throw new TypeError(`${path}: expected ${issue?.message ?? "a valid value"}`);
  }
  const o = result.data;
  const keySet: KeySetPolicy = {
    maxAgeMs: o.keySet.maxAgeMs ?? DEFAULT_KEY_SET_POLICY.maxAgeMs,
    cooldownMs: o.keySet.cooldownMs ?? DEFAULT_KEY_SET_POLICY.cooldownMs,
    timeoutMs: o.keySet.timeoutMs ?? DEFAULT_KEY_SET_POLICY.timeoutMs,
    maxStaleMs: o.keySet.maxStaleMs ?? DEFAULT_KEY_SET_POLICY.maxStaleMs,
    maxBytes: o.keySet.maxBytes ?? DEFAULT_KEY_SET_POLICY.maxBytes,
    maxKeys: o.keySet.maxKeys ?? DEFAULT_KEY_SET_POLICY.maxKeys,
  };
  return {
    issuers: o.issuer,
    audiences: o.audience,
    jwksUri: o.jwksUri,
    algorithms: o.algorithms,
    clockToleranceSeconds: o.clockToleranceSeconds,
    maxTokenLength: o.maxTokenLength,
    requireAccessTokenType: o.requireAccessTokenType,
    keySet,
    cacheMaxEntries: o.cache === false ? 0 : (o.cache.maxEntries ?? cacheMaxEntries.default),
    onKeySetEvent: options.onKeySetEvent ?? (() => {}),
    clock: options.clock ?? systemClock,
    fetch: options.fetch ?? globalFetch,
  };
}
