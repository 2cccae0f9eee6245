import type { ReplayCache } from "@repo/auth/server";
import { decodeJwt, errors, type JWTPayload, jwtVerify } from "jose";
import type { ClientRegistry } from "./client-registry.ts";
import type { KeyIssuerClient } from "./local-issuer-types.ts";
import { OAuthError } from "./oauth-error.ts";
import { CLIENT_ASSERTION_ALGORITHMS } from "./signing-algorithms.ts";

/** RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion. */
export const JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** An assertion's `exp` may be at most this far ahead: it is made for one request. */
export const CLIENT_ASSERTION_MAX_LIFETIME_SECONDS = 300;
/** Leeway for the clocks of client and issuer, on `exp`, `nbf` and `iat`. */
export const CLIENT_ASSERTION_CLOCK_TOLERANCE_SECONDS = 5;
/** An assertion is a few claims and a signature; anything longer is refused before parsing. */
export const CLIENT_ASSERTION_MAX_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;

export interface ClientAssertionContext {
  readonly clients: ClientRegistry;
  /** The `aud` values accepted: the issuer identifier and the token endpoint's URLs, exactly. */
  readonly audiences: ReadonlySet<string>;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly replays: ReplayCache;
}

/**
 * Authenticates a client by a JWT assertion (private_key_jwt, RFC 7523 §2.2 and §3, RFC 7521
 * §4.2): signed by the key registered for the client, `iss` and `sub` the client id, `aud` this
 * issuer (one value), `exp` within CLIENT_ASSERTION_MAX_LIFETIME_SECONDS, a `jti` never seen
 * before (remembered until `exp`). `clientId` is the request's `client_id`, when it sent one.
 *
 * @throws OAuthError 401 `invalid_client` naming the failed rule (never whether the client
 *   exists), 429 when the replay cache is full.
 */
export async function authenticateByAssertion(
  assertion: string,
  clientId: string | undefined,
  context: ClientAssertionContext,
): Promise<KeyIssuerClient> {
  if (assertion.length > CLIENT_ASSERTION_MAX_LENGTH) {
    throw invalidClient(`client_assertion is over ${CLIENT_ASSERTION_MAX_LENGTH} characters`);
  }
  let unverified: JWTPayload;
  try {
    unverified = decodeJwt(assertion);
  } catch {
    throw invalidClient("client_assertion is not a signed JWT");
  }
  const subject = clientId ?? unverified.sub;
  if (typeof subject !== "string" || subject === "") {
    throw invalidClient("client_assertion must name the client in sub");
  }
  const registered = context.clients.keyClient(subject);
  if (registered === undefined) {
    throw invalidClient("unknown client, or no key registered for it");
  }

  const nowMs = context.now();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(assertion, registered.keySet, {
      algorithms: [...CLIENT_ASSERTION_ALGORITHMS],
      issuer: subject,
      subject,
      audience: [...context.audiences],
      requiredClaims: ["exp", "jti"],
      clockTolerance: CLIENT_ASSERTION_CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(nowMs),
    }));
  } catch (error) {
    throw invalidClient(describeVerifyFailure(error));
  }
  checkLifetimeAndJti(payload, nowMs / 1000);

  const jti = payload.jti as string;
  const until = ((payload.exp as number) + CLIENT_ASSERTION_CLOCK_TOLERANCE_SECONDS) * 1000;
  const verdict = context.replays.remember(`${subject}:${jti}`, until);
  if (verdict === "replayed") throw invalidClient("client_assertion jti was used before");
  if (verdict === "full") {
    throw new OAuthError("temporarily_unavailable", "too many recent client assertions", 429, {
      "Retry-After": String(Math.max(1, Math.ceil(context.replays.msUntilRoom() / 1000))),
    });
  }
  return registered.client;
}

function checkLifetimeAndJti(payload: JWTPayload, nowSeconds: number): void {
  const tolerance = CLIENT_ASSERTION_CLOCK_TOLERANCE_SECONDS;
  // A long-lived assertion is a credential that can be replayed elsewhere until it expires.
  if ((payload.exp as number) > nowSeconds + CLIENT_ASSERTION_MAX_LIFETIME_SECONDS + tolerance) {
    throw invalidClient(
      `client_assertion exp is more than ${CLIENT_ASSERTION_MAX_LIFETIME_SECONDS} s ahead`,
    );
  }
  if (typeof payload.iat === "number" && payload.iat > nowSeconds + tolerance) {
    throw invalidClient("client_assertion iat is in the future");
  }
  // The audience-injection advisory (OpenID Foundation, 2025): only this issuer may be named.
  if (Array.isArray(payload.aud) && payload.aud.length !== 1) {
    throw invalidClient("client_assertion aud must name this issuer alone");
  }
  const jti = payload.jti;
  if (typeof jti !== "string" || jti === "" || jti.length > MAX_JTI_LENGTH) {
    throw invalidClient(
      `client_assertion jti must be a string of 1 to ${MAX_JTI_LENGTH} characters`,
    );
  }
}

function describeVerifyFailure(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "client_assertion has expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case "iss":
        return "client_assertion iss must be the client id";
      case "sub":
        return "client_assertion sub must be the client id";
      case "aud":
        return "client_assertion aud must be this issuer or its token endpoint";
      case "nbf":
        return "client_assertion is not valid yet (nbf)";
      default:
        return `client_assertion ${error.claim} is missing or invalid`;
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return "client_assertion alg must be an asymmetric algorithm";
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return "client_assertion is not signed by the key registered for the client";
  }
  return "client_assertion could not be verified";
}

function invalidClient(description: string): OAuthError {
  return new OAuthError("invalid_client", description, 401);
}
