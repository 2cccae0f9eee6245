// node-oidc-provider (panva, v9) as a real authorization server no one here wrote: client
// credentials with private_key_jwt, DPoP (optionally requiring nonces), JWT access tokens for
// one resource. For interoperability tests only.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import Provider, { type Adapter, type AdapterPayload } from "oidc-provider";

export interface OidcProviderClient {
  readonly clientId: string;
  /** private_key_jwt with this public key, or client_secret_basic with `secret`. */
  readonly publicJwk?: JWK;
  readonly secret?: string;
}

export interface RunningOidcProvider {
  readonly issuer: string;
  readonly tokenUrl: string;
  readonly jwksUri: string;
  readonly audience: string;
  close(): Promise<void>;
}

/** Starts oidc-provider on 127.0.0.1 and an ephemeral port; its tokens are RS256 JWTs for `audience`. */
export async function startOidcProvider(options: {
  readonly clients: readonly OidcProviderClient[];
  readonly audience: string;
  /** Require a server nonce in every DPoP proof (RFC 9449 §8). Default false. */
  readonly requireDpopNonce?: boolean;
  /** Space-separated scopes the resource grants. Default `read:messages`. */
  readonly scope?: string;
}): Promise<RunningOidcProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingKey = {
    ...(await exportJWK(privateKey)),
    kid: "interop-as",
    alg: "RS256",
    use: "sig",
  };

  const provider = new Provider(issuer, {
    adapter: memoryAdapter,
    jwks: { keys: [signingKey] },
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      grant_types: ["client_credentials"],
      response_types: [],
      redirect_uris: [],
      ...(client.publicJwk === undefined
        ? { client_secret: client.secret, token_endpoint_auth_method: "client_secret_basic" }
        : { token_endpoint_auth_method: "private_key_jwt", jwks: { keys: [client.publicJwk] } }),
    })),
    ttl: { ClientCredentials: 300 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      dPoP: {
        enabled: true,
        ...(options.requireDpopNonce === true
          ? { nonceSecret: randomBytes(32), requireNonce: () => true }
          : {}),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => options.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: options.scope ?? "read:messages",
          audience: options.audience,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: "RS256" } },
        }),
      },
    },
  });
  server.on("request", provider.callback());
  return {
    issuer,
    tokenUrl: `${issuer}/token`,
    jwksUri: `${issuer}/jwks`,
    audience: options.audience,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The storage oidc-provider needs (replay detection, grants), in memory, with expiry. */
function memoryAdapter(name: string): Adapter {
  const entries = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const key = (id: string) => `${name}:${id}`;
  const live = (id: string) => {
    const entry = entries.get(key(id));
    if (entry === undefined || entry.expiresAt <= Date.now()) return undefined;
    return entry.payload;
  };
  return {
    async upsert(id, payload, expiresIn) {
      const ttl = expiresIn === undefined ? Number.POSITIVE_INFINITY : expiresIn * 1000;
      entries.set(key(id), { payload, expiresAt: Date.now() + ttl });
    },
    async find(id) {
      return live(id);
    },
    async findByUserCode() {
      return undefined;
    },
    async findByUid() {
      return undefined;
    },
    async consume(id) {
      const payload = live(id);
      if (payload !== undefined) payload.consumed = Math.floor(Date.now() / 1000);
    },
    async destroy(id) {
      entries.delete(key(id));
    },
    async revokeByGrantId() {},
  };
}
