import { type JWSHeaderParameters, jwtVerify } from "jose";
import { type AccessToken, accessTokenClaimsSchema } from "./access-token.ts";
import { isCanonicalCompactJws, readableKid } from "./compact-jws.ts";
import { AuthError } from "./errors.ts";
import { joseErrorToAuthError } from "./jose-error-to-auth-error.ts";
import { type KeyVersion, RemoteKeySet } from "./key-set/remote-key-set.ts";
import { scopesFromClaims } from "./scopes.ts";
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
  /** The key set behind the verifier (readiness, warming). */
  readonly keySet: RemoteKeySet;
  /** The options in force, after defaults. */
  readonly options: ResolvedVerifierOptions;
}

interface Verified {
  readonly token: AccessToken;
  readonly kid: string | undefined;
  readonly keyVersion: KeyVersion;
}

/**
 * Create a verifier once per process (a verifier per request would defeat both caches, jose #596).
 * Options are validated here; see AccessTokenVerifierOptions for defaults.
 */
export function createAccessTokenVerifier(
  options: AccessTokenVerifierOptions,
): AccessTokenVerifier {
  const resolved = resolveVerifierOptions(options);
  const keySet = new RemoteKeySet(resolved.jwksUri, resolved.keySet, resolved.onKeySetEvent);
  const cache =
    resolved.cacheMaxEntries > 0
      ? new VerifiedTokenCache(resolved.cacheMaxEntries, keySet)
      : undefined;
  // Concurrent requests carrying the same new token share one verification.
  const inflight = new Map<string, Promise<Verified>>();
  const verifyOptions = {
    algorithms: [...resolved.algorithms],
    issuer: [...resolved.issuers],
    audience: [...resolved.audiences],
    // jose checks exp only when present (RFC 7519 §4.1.4 makes it optional): require it, and sub.
    requiredClaims: ["exp", "sub"],
    clockTolerance: resolved.clockToleranceSeconds,
    ...(resolved.requireAccessTokenType ? { typ: "at+jwt" } : {}),
  };

  async function verifyUncached(jwt: string): Promise<Verified> {
    if (!isCanonicalCompactJws(jwt)) {
      throw new AuthError("malformed_token", "Token is malformed", { kid: readableKid(jwt) });
    }
    let kid: string | undefined;
    let keyVersion: KeyVersion | undefined;
    const getKey = async (header: JWSHeaderParameters) => {
      kid = typeof header.kid === "string" ? header.kid : undefined;
      // RFC 7797: `b64: false` changes what the signature covers. jose honours it only when it is
      // also listed in `crit` and otherwise ignores it; an access token never uses it (RFC 7519
      // §7.2 requires an encoded payload), so any other value than the default is refused.
      if ("b64" in header && header.b64 !== true) {
        throw new AuthError("malformed_token", "Token uses an unsupported feature", { kid });
      }
      const resolvedKey = await keySet.resolve(header);
      keyVersion = resolvedKey.version;
      return resolvedKey.key;
    };
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(jwt, getKey, verifyOptions));
    } catch (error) {
      // A token refused before key selection (alg, crit) still has its kid logged when readable.
      throw joseErrorToAuthError(error, { kid: kid ?? readableKid(jwt) });
    }
    const nowSeconds = Date.now() / 1000;
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
      claims: payload,
    };
    // keyVersion is set whenever jose obtained a key, which it did for a verified signature.
    return { token, kid, keyVersion: keyVersion as KeyVersion };
  }

  async function verify(jwt: string): Promise<AccessToken> {
    if (typeof jwt !== "string" || jwt.length === 0) {
      throw new AuthError("missing_token", "Token required");
    }
    if (jwt.length > resolved.maxTokenLength) {
      throw new AuthError("token_too_large", "Token is too large");
    }
    const hit = cache?.get(jwt);
    if (hit !== undefined) return hit;
    let pending = inflight.get(jwt);
    if (pending === undefined) {
      pending = verifyUncached(jwt).finally(() => inflight.delete(jwt));
      inflight.set(jwt, pending);
    }
    const { token, kid, keyVersion } = await pending;
    cache?.set(jwt, token, kid, keyVersion);
    return token;
  }

  return { verify, keySet, options: resolved };
}

/** A claim failed after the signature verified: sub and client_id are then safe to log. */
function refusedAfterSignature(
  claim: string,
  kid: string | undefined,
  payload: Record<string, unknown>,
): AuthError {
  return new AuthError("invalid_claim", `Token ${claim} claim is invalid`, {
    kid,
    subject: typeof payload.sub === "string" ? payload.sub : undefined,
    clientId: typeof payload.client_id === "string" ? payload.client_id : undefined,
  });
}
