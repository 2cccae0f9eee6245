import { isDpopNonceChallenge } from "./dpop-nonce-challenge.ts";
import type { DpopSigner } from "./dpop-signer.ts";

/** Options of `createDpopFetch`. */
export interface DpopFetchOptions {
  /** Signs the proofs and keeps the nonces: the signer the token source binds its tokens to. */
  readonly signer: Pick<DpopSigner, "proofFor" | "rememberNonce">;
  /** The fetch that sends the requests. Default: the global fetch. */
  readonly fetch?: typeof fetch;
}

// The methods fetch itself upper-cases (WHATWG Fetch "normalize a method"); any other is sent,
// and so must be signed, as written.
const NORMALIZED_METHODS = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);

/**
 * A fetch for calls to a resource server with DPoP-bound tokens (RFC 9449 §7): a request whose
 * `Authorization` uses the `DPoP` scheme gets a fresh proof in a `DPoP` header, for its final
 * method and URL and with `ath` of its token; other requests go out untouched. It sits under the
 * tRPC links (`fetch` option of httpBatchLink, httpLink and bearerSubscriptionLink) because only
 * there are the method and URL known: each request, batch, retry and SSE (re)connect is signed anew.
 *
 * The `DPoP-Nonce` of every answer is remembered in the signer (§8.2), and a 401
 * `use_dpop_nonce` challenge is answered once, at once, with a new proof carrying the server's
 * nonce; a second challenge is returned as the answer. A request whose body is a stream cannot be
 * sent twice, so its challenge is returned as is.
 */
export function createDpopFetch(options: DpopFetchOptions): typeof fetch {
  const { signer } = options;
  const baseFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  return async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = request?.url ?? String(input);
    const headers = new Headers(request?.headers);
    for (const [name, value] of new Headers(init?.headers)) headers.set(name, value);
    const token = dpopAccessToken(headers.get("authorization"));
    const method = sentMethod(init?.method ?? request?.method ?? "GET");

    const send = async (): Promise<Response> => {
      if (token !== undefined) headers.set("dpop", await signer.proofFor(method, url, token));
      const response = await baseFetch(input, { ...init, headers });
      signer.rememberNonce(url, response.headers);
      return response;
    };

    const response = await send();
    const replayable =
      !(init?.body instanceof ReadableStream) && (request === undefined || request.body === null);
    if (token === undefined || !replayable || !isDpopNonceChallenge(response)) return response;
    // Free the connection the refused answer holds before the retry takes one.
    await response.body?.cancel().catch(() => {});
    return send();
  };
}

/** The token of an `Authorization: DPoP <token>` header (the scheme is case-insensitive). */
function dpopAccessToken(authorization: string | null): string | undefined {
  return /^DPoP +(\S+)$/i.exec(authorization?.trim() ?? "")?.[1];
}

function sentMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALIZED_METHODS.has(upper) ? upper : method;
}
