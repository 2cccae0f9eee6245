import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type DpopNonces,
  isAuthError,
  type ReplayCache,
  type VerifiedDpopProof,
  verifyDpopProof,
} from "@repo/auth/server";
import type { ClientAssertionContext } from "./client-assertion.ts";
import { authenticateClient } from "./client-authentication.ts";
import { MAX_TOKEN_REQUEST_BYTES } from "./defaults.ts";
import { sendJson } from "./json-response.ts";
import type { IssuerClient } from "./local-issuer-types.ts";
import { OAuthError } from "./oauth-error.ts";
import { readRequestBody } from "./request-body.ts";
import { DPOP_SIGNING_ALGORITHMS } from "./signing-algorithms.ts";
import type { TokenFailureInjection } from "./token-failure-injection.ts";
import { parseTokenRequest } from "./token-request.ts";

export interface TokenEndpointDeps {
  audiences: readonly string[];
  failures: TokenFailureInjection;
  lifetimeSeconds(): number;
  /** Mints the access token; with a DPoP binding it carries `cnf.jkt` (RFC 9449 §6.1). */
  mint(
    client: IssuerClient,
    audience: string,
    lifetimeSeconds: number,
    binding: VerifiedDpopProof | undefined,
  ): Promise<string>;
  /** The registered clients, and how client assertions are checked. */
  assertions: ClientAssertionContext;
  dpop: {
    /** The normalised URLs a proof's `htu` may name: this endpoint, as clients reach it. */
    readonly acceptedHtus: ReadonlySet<string>;
    readonly replays: ReplayCache;
    readonly nonces: DpopNonces | undefined;
  };
}

// RFC 6749 §5.1: token responses, and so their errors, must not be cached.
const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

/**
 * `POST /oauth2/m2m/token`: the client_credentials grant as AuthAction serves it, with DPoP-bound
 * tokens when the request carries a valid proof (RFC 9449 §5) and private_key_jwt beside the
 * secret methods.
 */
export async function handleTokenRequest(
  req: IncomingMessage,
  res: ServerResponse,
  deps: TokenEndpointDeps,
): Promise<void> {
  // RFC 9449 §8.2: with nonces on, every answer carries the current one, errors included.
  const nonceHeader: Record<string, string> =
    deps.dpop.nonces === undefined ? {} : { "DPoP-Nonce": deps.dpop.nonces.current() };
  try {
    const injected = deps.failures.take();
    if (injected !== undefined) throw injected;
    const body = await readRequestBody(req, MAX_TOKEN_REQUEST_BYTES);
    const request = parseTokenRequest(req.headers["content-type"], body);
    if (request.grant_type !== "client_credentials") {
      throw new OAuthError(
        "unsupported_grant_type",
        "only the client_credentials grant is supported",
      );
    }
    // Before client authentication: a nonce challenge then leaves the client assertion unspent.
    const binding = await tokenRequestProof(req, deps);
    const client = await authenticateClient(request, req.headers.authorization, deps.assertions);
    if (!deps.audiences.includes(request.audience)) {
      throw new OAuthError("invalid_request", "unknown audience");
    }
    const lifetimeSeconds = deps.lifetimeSeconds();
    const accessToken = await deps.mint(client, request.audience, lifetimeSeconds, binding);
    sendJson(
      res,
      200,
      {
        access_token: accessToken,
        token_type: binding === undefined ? "Bearer" : "DPoP",
        expires_in: lifetimeSeconds,
      },
      { ...NO_STORE, ...nonceHeader },
    );
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    sendJson(res, error.status, error.body(), { ...NO_STORE, ...nonceHeader, ...error.headers });
  }
}

/** The request's DPoP proof as RFC 9449 §5 checks it at a token endpoint (no `ath`), if any. */
async function tokenRequestProof(
  req: IncomingMessage,
  deps: TokenEndpointDeps,
): Promise<VerifiedDpopProof | undefined> {
  try {
    return await verifyDpopProof({
      headerValues: req.headersDistinct.dpop,
      method: req.method ?? "POST",
      acceptedHtus: deps.dpop.acceptedHtus,
      accessToken: undefined,
      algorithms: DPOP_SIGNING_ALGORITHMS,
      now: deps.assertions.now,
      replays: deps.dpop.replays,
      nonces: deps.dpop.nonces,
    });
  } catch (error) {
    if (!isAuthError(error)) throw error;
    if (error.code === "use_dpop_nonce") throw new OAuthError("use_dpop_nonce", error.message);
    if (error.code === "replay_cache_full") {
      throw new OAuthError("temporarily_unavailable", "too many recent DPoP proofs", 429, {
        "Retry-After": String(error.retryAfterSeconds ?? 1),
      });
    }
    throw new OAuthError("invalid_dpop_proof", error.message);
  }
}
