import { type JWSHeaderParameters, jwtVerify } from "jose";
import { type AccessToken, accessTokenClaimsSchema } from "./access-token.ts";
import { isCanonicalCompactJws, readableKid } from "./compact-jws.ts";
import { AuthError } from "./errors.ts";
import { joseErrorToAuthError } from "./jose-error-to-auth-error.ts";
import { RemoteKeySet } from "./key-set/remote-key-set.ts";
import { scopesFromClaims } from "./scopes.ts";
import { timeClaimOutOfRange } from "./time-claim-bounds.ts";
import { VerifiedTokenCache } from "./verified-token-cache.ts";
import {
  type AccessTokenVerifierOptions,
  type ResolvedVerifierOptions,
  resolveVerifierOptions,
} from "./verifier-options.ts";

export interface AccessTokenVerifier {
  /**
   * Verify a compact JWT access token. Resolves to the verified token, or rejects with an
   * AuthError whose `code` says why. Never fetches anything a token names (`jku`, `x5u`, `jwk`
   * and `x5c` headers are ignored: keys come from the configured key set only, RFC 8725 §3.10).
   */
  verify(jwt: string): Promise<AccessToken>;
  /**
   * The verified token for `jwt` if the verified-token cache holds it and it is still usable
   * (before its `exp`, its key still in the key set): exactly what `verify` would resolve to from
   * its cache, without a promise. `undefined` otherwise (not cached, expired, key gone, cache off);
   * then call `verify`. Counts a cache hit when it returns a token; a miss is counted by the
   * `verify` that follows.
   */
  cached(jwt: string): AccessToken | undefined;
  /** The key set behind the verifier (readiness, warming). */
  readonly keySet: RemoteKeySet;
  /** The options in force, after defaults. */
  readonly options: ResolvedVerifierOptions;
  /** Counters of the verified-token cache since creation (read by metrics collectors). */
  stats(): VerifierStats;
}

/** What the verified-token cache has done since the verifier was created. */
export interface VerifierStats {
  /** Tokens served from the cache without a signature check. */
  readonly cacheHits: number;
  /** Lookups that found no usable entry (absent, expired, or its key no longer current). */
  readonly cacheMisses: number;
  /** Entries held now. */
  readonly cacheSize: number;
  /** The cache's bound; 0 when it is off (then hits and misses stay 0). */
  readonly cacheMaxEntries: number;
}

interface Verified {
  readonly token: AccessToken;
  /** RFC 7638 thumbprint of the key that verified it. */
  readonly thumbprint: string;
}

/**
 * Create a verifier once per process (a verifier per request would defeat both caches, jose #596).
 * Options are validated here; see AccessTokenVerifierOptions for defaults.
 */
export function createAccessTokenVerifier(
  options: AccessTokenVerifierOptions,
): AccessTokenVerifier {
  const resolved = resolveVerifierOptions(options);
  const { clock } = resolved;
  const keySet = new RemoteKeySet(resolved.jwksUri, {
    policy: resolved.keySet,
    onEvent: resolved.onKeySetEvent,
    clock,
    fetch: resolved.fetch,
  });
  const cache =
    resolved.cacheMaxEntries > 0
      ? new VerifiedTokenCache(resolved.cacheMaxEntries, keySet, clock)
      : undefined;
  let cacheHits = 0;
  let cacheMisses = 0;
  // Concurrent requests carrying the same new token share one verification.
  const inflight = new Map<string, Promise<Verified>>();
  const verifyOptions = {
    algorithms: [...resolved.algorithms],
    issuer: [...resolved.issuers],
    audience: [...resolved.audiences],
    // jose checks exp only when present (its jwtVerify docs): require it, and sub, explicitly.
    requiredClaims: ["exp", "sub"],
    clockTolerance: resolved.clockToleranceSeconds,
    ...(resolved.requireAccessTokenType ? { typ: "at+jwt" } : {}),
  };

  async function verifyUncached(jwt: string): Promise<Verified> {
    if (!isCanonicalCompactJws(jwt)) {
      throw new AuthError("malformed_token", "Token is malformed", { kid: readableKid(jwt) });
    }
    let kid: string | undefined;
    let thumbprint: string | undefined;
    const getKey = async (header: JWSHeaderParameters) => {
      kid = typeof header.kid === "string" ? header.kid : undefined;
      // RFC 7797: `b64: false` changes what the signature covers. jose honours it only when it is
      // also listed in `crit` and otherwise ignores it; an access token never uses it (RFC 7519
      // §7.2 requires an encoded payload), so any other value than the default is refused.
      if ("b64" in header && header.b64 !== true) {
        throw new AuthError("malformed_token", "Token uses an unsupported feature", { kid });
      }
      const resolvedKey = await keySet.resolve(header);
      thumbprint = resolvedKey.thumbprint;
      return resolvedKey.key;
    };
    let payload: Record<string, unknown>;
    try {
      // jose checks exp/nbf against the verifier's clock, the one the cache uses too.
      ({ payload } = await jwtVerify(jwt, getKey, {
        ...verifyOptions,
        currentDate: new Date(clock.now()),
      }));
    } catch (error) {
      // A token refused before key selection (alg, crit) still has its kid logged when readable.
      throw joseErrorToAuthError(error, { kid: kid ?? readableKid(jwt) });
    }
    const outOfRange = timeClaimOutOfRange(payload);
    if (outOfRange !== undefined) {
      throw refusedAfterSignature(outOfRange, kid, payload, "is out of range");
    }
    const nowSeconds = clock.now() / 1000;
    if (
      typeof payload.iat === "number" &&
      payload.iat > nowSeconds + resolved.clockToleranceSeconds
    ) {
      throw refusedAfterSignature("iat", kid, payload);
    }
    const claims = accessTokenClaimsSchema.safeParse(payload);
    if (!claims.success) {
      throw refusedAfterSignature(
        String(claims.error.issues[0]?.path[0] ?? "claims"),
        kid,
        payload,
      );
    }
    const c = claims.data;
    const token: AccessToken = {
      sub: c.sub,
      scopes: scopesFromClaims(c),
      clientId: c.client_id ?? c.azp,
      expiresAt: new Date(c.exp * 1000),
      issuer: c.iss,
      audience: typeof c.aud === "string" ? [c.aud] : c.aud,
      jkt: c.cnf?.jkt,
      claims: payload,
    };
    // thumbprint is set whenever jose obtained a key, which it did for a verified signature.
    return { token, thumbprint: thumbprint as string };
  }

  function cached(jwt: string): AccessToken | undefined {
    // Never set for a token over maxTokenLength or empty, so the lookup alone decides.
    const hit = cache?.get(jwt);
    if (hit !== undefined) cacheHits += 1;
    return hit;
  }

  async function verify(jwt: string): Promise<AccessToken> {
    if (typeof jwt !== "string" || jwt.length === 0) {
      throw new AuthError("missing_token", "Token required");
    }
    if (jwt.length > resolved.maxTokenLength) {
      throw new AuthError("token_too_large", "Token is too large");
    }
    if (cache !== undefined) {
      // The same lookup as `cached`, so a hit means the same thing on both paths.
      const hit = cached(jwt);
      if (hit !== undefined) return hit;
      cacheMisses += 1;
    }
    let pending = inflight.get(jwt);
    if (pending === undefined) {
      pending = verifyUncached(jwt).finally(() => inflight.delete(jwt));
      inflight.set(jwt, pending);
    }
    const { token, thumbprint } = await pending;
    cache?.set(jwt, token, thumbprint);
    return token;
  }

  const stats = (): VerifierStats => ({
    cacheHits,
    cacheMisses,
    cacheSize: cache?.size ?? 0,
    cacheMaxEntries: resolved.cacheMaxEntries,
  });
  return { verify, cached, keySet, options: resolved, stats };
}

/** A claim failed after the signature verified: sub and client_id are then safe to log. */
function refusedAfterSignature(
  claim: string,
  kid: string | undefined,
  payload: Record<string, unknown>,
  problem = "is invalid",
): AuthError {
  return new AuthError("invalid_claim", `Token ${claim} claim ${problem}`, {
    kid,
    subject: typeof payload.sub === "string" ? payload.sub : undefined,
    clientId: typeof payload.client_id === "string" ? payload.client_id : undefined,
  });
}
