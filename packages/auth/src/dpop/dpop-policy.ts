import type { AccessToken } from "../access-token.ts";
import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from "../asymmetric-algorithms.ts";
import { type AuthorizationCredential, parseAuthorizationHeader } from "../bearer-header.ts";
import { type Clock, systemClock } from "../clock.ts";
import { AuthError } from "../errors.ts";
import { ReplayCache } from "../replay-cache.ts";
import type { DpopNonces } from "./dpop-nonces.ts";
import { verifyDpopProof } from "./dpop-proof.ts";

/**
 * How a resource treats DPoP (RFC 9449): `allowed` accepts Bearer for unbound tokens and the DPoP
 * scheme with a proof for bound ones; `required` accepts only the latter; `disabled` accepts only
 * Bearer with unbound tokens.
 */
export type DpopMode = "allowed" | "required" | "disabled";
export const DPOP_MODES: readonly DpopMode[] = ["allowed", "required", "disabled"];

/** Proof `jti`s remembered at most, by default: past it, proofs are refused until room frees. */
export const DEFAULT_REPLAY_CACHE_MAX_ENTRIES = 500_000;

export interface DpopPolicyOptions {
  /** Default `allowed`. */
  readonly mode?: DpopMode;
  /** The algorithms a proof may use. Default: every asymmetric algorithm (never `none` or HMAC). */
  readonly algorithms?: readonly AsymmetricAlgorithm[];
  /** Require these server nonces in proofs (§8, §9). Default: none required. */
  readonly nonces?: DpopNonces | undefined;
  /** Bound of the `jti` replay cache. Default DEFAULT_REPLAY_CACHE_MAX_ENTRIES. */
  readonly replayCacheMaxEntries?: number;
  /** Default the system clock. */
  readonly clock?: Clock;
}

/** The request a DPoP proof must describe (§4.3): its `DPoP` header, method and URL. */
export interface DpopRequest {
  /** Every value of the request's `DPoP` header; undefined when it has none. */
  readonly proofs: readonly string[] | undefined;
  readonly method: string;
  /** The normalised URLs (normalizeHttpUri) the proof's `htu` may name; read only when checked. */
  readonly acceptedHtus: () => readonly string[];
}

/**
 * What a resource server decides about the scheme, the token's binding and the proof of each
 * request. One per process: it holds the replay cache.
 */
export interface DpopPolicy {
  readonly mode: DpopMode;
  readonly algorithms: readonly AsymmetricAlgorithm[];
  /** The nonces proofs must carry, when required. */
  readonly nonces: DpopNonces | undefined;
  /**
   * The credential of an Authorization header: the DPoP scheme only when the mode accepts it.
   * @throws AuthError as parseAuthorizationHeader does.
   */
  credential(header: string | readonly string[] | undefined): AuthorizationCredential;
  /**
   * Whether a verified token sent with the Bearer scheme, on a request without a `DPoP` header,
   * is accepted as it is: without a promise, for the verified-token cache's synchronous path.
   * When false, `check` says why.
   */
  acceptsAsBearer(token: AccessToken, hasProof: boolean): boolean;
  /**
   * Check that `token` (verified, from `credential`) may be used as `credential` says on this
   * request: the mode, the token's `cnf.jkt`, and the proof with every rule of RFC 9449 §4.3 and
   * §7.1 (its `jti` is spent here, so call this once per request).
   * @throws AuthError `dpop_required`, `invalid_request`, `wrong_binding`, or what
   *   verifyDpopProof throws.
   */
  check(
    credential: AuthorizationCredential,
    token: AccessToken,
    request: DpopRequest,
  ): Promise<void>;
}

/** @throws TypeError naming an option that is not valid. */
export function createDpopPolicy(options: DpopPolicyOptions = {}): DpopPolicy {
  const mode = options.mode ?? "allowed";
  if (!DPOP_MODES.includes(mode)) {
    throw new TypeError(`createDpopPolicy: mode must be one of ${DPOP_MODES.join(", ")}`);
  }
  const algorithms = [...(options.algorithms ?? ASYMMETRIC_ALGORITHMS)];
  const unknown = algorithms.find(
    (alg) => !(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg),
  );
  if (unknown !== undefined || algorithms.length === 0) {
    throw new TypeError("createDpopPolicy: algorithms must be asymmetric JWS algorithms");
  }
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const replays = new ReplayCache({
    maxEntries: options.replayCacheMaxEntries ?? DEFAULT_REPLAY_CACHE_MAX_ENTRIES,
    now,
  });
  const { nonces } = options;
  const acceptDpop = mode !== "disabled";

  return {
    mode,
    algorithms,
    nonces,
    credential: (header) => parseAuthorizationHeader(header, acceptDpop),
    acceptsAsBearer: (token, hasProof) =>
      mode !== "required" && token.jkt === undefined && !(hasProof && acceptDpop),
    async check(credential, token, request) {
      if (credential.scheme === "bearer") {
        if (mode === "required") {
          throw new AuthError("dpop_required", "This api accepts DPoP-bound tokens only", {
            scheme: "bearer",
          });
        }
        if (acceptDpop && request.proofs !== undefined) {
          throw new AuthError(
            "invalid_request",
            "A DPoP proof needs the DPoP authentication scheme, not Bearer",
            { scheme: "bearer" },
          );
        }
        if (token.jkt !== undefined) {
          throw wrongBinding(
            token,
            "bearer",
            acceptDpop
              ? "A DPoP-bound token must be sent with the DPoP scheme and a proof"
              : "DPoP-bound tokens are not accepted by this api",
          );
        }
        return;
      }
      if (request.proofs === undefined || request.proofs.length === 0) {
        throw new AuthError("invalid_dpop_proof", "A DPoP proof is required with the DPoP scheme", {
          scheme: "dpop",
        });
      }
      if (token.jkt === undefined) {
        const hint =
          mode === "required"
            ? "This api accepts DPoP-bound tokens only"
            : "Token is not DPoP-bound: send it with the Bearer scheme";
        throw wrongBinding(token, "dpop", hint);
      }
      const proof = await verifyDpopProof({
        headerValues: request.proofs,
        method: request.method,
        acceptedHtus: request.acceptedHtus(),
        accessToken: credential.token,
        algorithms,
        now,
        replays,
        nonces,
      });
      if (proof?.jkt !== token.jkt) {
        throw wrongBinding(token, "dpop", "Token is bound to another key than the DPoP proof's");
      }
    },
  };
}

/** A refusal after the token verified: its subject and client are safe to log. */
function wrongBinding(token: AccessToken, scheme: "bearer" | "dpop", message: string): AuthError {
  return new AuthError("wrong_binding", message, {
    scheme,
    subject: token.sub,
    clientId: token.clientId,
  });
}
