import type { CryptoKey, JWK } from "jose";

/**
 * A registered OAuth client allowed to use the client_credentials grant. It authenticates with
 * a secret (client_secret_post or client_secret_basic) or, registered with a public key, with a
 * signed assertion (private_key_jwt, RFC 7523 §2.2) and then never with a secret.
 */
export type IssuerClient = SecretIssuerClient | KeyIssuerClient;

export interface SecretIssuerClient {
  clientId: string;
  clientSecret: string;
  publicJwk?: undefined;
  scopes: string[];
}

export interface KeyIssuerClient {
  clientId: string;
  /** The public half of the client's key pair (RSA, EC or OKP; no private members). */
  publicJwk: JWK;
  clientSecret?: undefined;
  scopes: string[];
}

export interface LocalIssuerOptions {
  /** Port to listen on. Default 0 (ephemeral). */
  port?: number;
  /** Interface to listen on. Default "127.0.0.1". */
  host?: string;
  /** `iss` value, used verbatim. Default: the listening base URL, e.g. "http://127.0.0.1:54321". */
  issuer?: string;
  /** Audiences it will mint for. Default [DEFAULT_AUDIENCE]. */
  audiences?: string[];
  /** Registered clients. Default DEFAULT_CLIENTS. */
  clients?: IssuerClient[];
  /** Lifetime of issued tokens. Default 86400 (AuthAction's). */
  tokenLifetimeSeconds?: number;
  /** One line per request and per fault switch. Default: no logging. */
  log?: (line: string) => void;
  /**
   * Require server nonces in DPoP proofs at the token endpoint (RFC 9449 §8): a proof without a
   * current one is answered 400 `use_dpop_nonce` with a `DPoP-Nonce` header. Default false.
   */
  dpopNonce?: boolean;
  /**
   * Entries each replay cache (DPoP proof `jti`s, client assertion `jti`s) holds; when every one
   * is live, new proofs or assertions are refused with 429 until one expires. Default 10000.
   */
  replayCacheMaxEntries?: number;
  /** Time for DPoP proof windows, nonces, assertions and replay caches. Default: `Date.now`. */
  clock?: { now(): number };
}

export type JwksMode = "ok" | "error" | "invalid-json" | "empty" | "hang";

export interface SignTokenOptions {
  /** Default: the first client. Sets `client_id` and, unless `subject` is given, `sub`. */
  clientId?: string;
  /** Space-separated. Default: the scopes of `clientId` (empty if it is not a registered client). */
  scope?: string;
  /** Default: the first audience. */
  audience?: string | string[];
  /** `exp - iat`; negative values mint already-expired tokens. Default: the configured lifetime. */
  expiresInSeconds?: number;
  /** Default: the configured issuer. */
  issuer?: string;
  /** Default: `${clientId}@clients`. */
  subject?: string;
  /** Header `kid`. A published kid also selects the signing key; any other value is only written to the header (for unknown-kid tests). Default: the signing kid. */
  kid?: string;
  /** `nbf` as seconds since the epoch. Default: absent. */
  notBefore?: number;
  /** `iat` as seconds since the epoch. Default: now. */
  issuedAt?: number;
  /** Raw claims merged last; an entry set to undefined deletes that claim. */
  claims?: Record<string, unknown>;
  /** Raw protected header fields merged last; an entry set to undefined deletes that field. `alg` must stay usable with an RS256 key. */
  header?: Record<string, unknown>;
}

export interface FailTokenRequestsOptions {
  /** HTTP status to answer with: 429, 500 or 503 in practice; any 4xx/5xx is accepted. */
  status: number;
  /** How many upcoming token requests fail; 0 clears. */
  count: number;
  /** Value of `Retry-After`, in seconds. Default: no header. */
  retryAfterSeconds?: number;
}

export interface RequestCounts {
  jwks: number;
  token: number;
  openidConfiguration: number;
}

export interface LocalIssuer {
  /** Base URL it listens on, no trailing slash. */
  readonly url: string;
  /** Value of `iss`. */
  readonly issuer: string;
  readonly jwksUri: string;
  /** `${url}/oauth2/m2m/token` */
  readonly tokenUrl: string;
  /** First audience. */
  readonly audience: string;
  /** Mint a token directly (tests). Defaults: first client, its scopes, first audience, the signing key, configured lifetime. */
  signToken(options?: SignTokenOptions): Promise<string>;
  /** Generate a new RSA key, publish it in the JWKS, and make it the signing key (old keys stay published). Returns the new kid. */
  rotateKey(): Promise<string>;
  /** Generate and publish a key; it signs only with `sign: true` (default false). Returns its kid. */
  addKey(options?: { sign?: boolean }): Promise<string>;
  /** Stop publishing a key. Removing the signing key hands signing to the newest remaining key; throws if it is the only key or the kid is unknown. */
  removeKey(kid: string): void;
  /** The kids currently published, and the signing kid. */
  keys(): { published: string[]; signing: string };
  /** Private key and public JWK of a published kid (default: the signing kid), so tests can sign crafted tokens. */
  keyPair(kid?: string): { kid: string; privateKey: CryptoKey; publicJwk: JWK & { kid: string } };
  /** Switch the JWKS endpoint into a failure mode and back. Requests hung in "hang" are answered in the new mode. */
  setJwksMode(mode: JwksMode): void;
  /** Fail the next `count` token requests with `status` (and `Retry-After` when given). */
  failTokenRequests(options: FailTokenRequestsOptions): void;
  /** Lifetime of subsequently issued tokens, in seconds. */
  setTokenLifetime(seconds: number): void;
  /** Requests received per endpoint (any method) since start or the last reset. */
  requestCounts(): RequestCounts;
  resetRequestCounts(): void;
  /** Closes the server and every open socket, hung ones included; idempotent. */
  close(): Promise<void>;
}
