import type { IncomingMessage, ServerResponse } from "node:http";
import { basicFailure, parseBasicCredentials } from "./basic-credentials.ts";
import type { ClientRegistry } from "./client-registry.ts";
import { MAX_TOKEN_REQUEST_BYTES } from "./defaults.ts";
import { sendJson } from "./json-response.ts";
import type { IssuerClient } from "./local-issuer-types.ts";
import { OAuthError } from "./oauth-error.ts";
import { readRequestBody } from "./request-body.ts";
import type { TokenFailureInjection } from "./token-failure-injection.ts";
import { parseTokenRequest, type TokenRequest } from "./token-request.ts";

export interface TokenEndpointDeps {
  clients: ClientRegistry;
  audiences: readonly string[];
  failures: TokenFailureInjection;
  lifetimeSeconds(): number;
  mint(client: IssuerClient, audience: string, lifetimeSeconds: number): Promise<string>;
}

// RFC 6749 §5.1: token responses, and so their errors, must not be cached.
const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

/** `POST /oauth2/m2m/token`: the client_credentials grant as AuthAction serves it. */
export async function handleTokenRequest(
  req: IncomingMessage,
  res: ServerResponse,
  deps: TokenEndpointDeps,
): Promise<void> {
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
    const client = authenticateClient(request, req.headers.authorization, deps.clients);
    if (!deps.audiences.includes(request.audience)) {
      throw new OAuthError("invalid_request", "unknown audience");
    }
    const lifetimeSeconds = deps.lifetimeSeconds();
    const accessToken = await deps.mint(client, request.audience, lifetimeSeconds);
    sendJson(
      res,
      200,
      { access_token: accessToken, token_type: "Bearer", expires_in: lifetimeSeconds },
      NO_STORE,
    );
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    sendJson(res, error.status, error.body(), { ...NO_STORE, ...error.headers });
  }
}

function authenticateClient(
  request: TokenRequest,
  authorization: string | undefined,
  clients: ClientRegistry,
): IssuerClient {
  const basic = parseBasicCredentials(authorization);
  if (basic !== undefined) {
    // RFC 6749 §2.3: one authentication method per request.
    if (request.client_secret !== undefined) {
      throw new OAuthError("invalid_request", "client_secret sent both in Basic and in the body");
    }
    if (request.client_id !== undefined && request.client_id !== basic.clientId) {
      throw new OAuthError("invalid_request", "client_id in the body differs from Basic");
    }
    const client = clients.authenticate(basic.clientId, basic.clientSecret);
    if (client === undefined) throw basicFailure("unknown client or wrong secret");
    return client;
  }
  // RFC 6749 §5.2 files "no client authentication included" under invalid_client.
  if (request.client_id === undefined || request.client_secret === undefined) {
    throw new OAuthError("invalid_client", "client_id and client_secret are required", 401);
  }
  const client = clients.authenticate(request.client_id, request.client_secret);
  if (client === undefined) {
    throw new OAuthError("invalid_client", "unknown client or wrong secret", 401);
  }
  return client;
}
