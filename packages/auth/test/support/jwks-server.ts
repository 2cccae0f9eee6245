import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { type LoopbackServer, startLoopbackServer } from "./loopback-server.ts";

export interface TestKey {
  readonly jwk: JWK;
  readonly privateKey: CryptoKey;
  readonly alg: "RS256" | "ES256";
}

/** Generate a key pair whose public JWK carries `kid` (none when undefined). */
export async function testKey(alg: "RS256" | "ES256", kid?: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const jwk: JWK = { ...(await exportJWK(publicKey)), alg, use: "sig" };
  if (kid !== undefined) jwk.kid = kid;
  return { jwk, privateKey, alg };
}

export const TEST_ISSUER = "https://issuer.test/";
export const TEST_AUDIENCE = "https://api.test";

/** A token for TEST_AUDIENCE from TEST_ISSUER, signed by `key` (its kid in the header, if any). */
export function signWith(key: TestKey, jti: string): Promise<string> {
  return new SignJWT({ scope: "read", jti })
    .setProtectedHeader(
      key.jwk.kid === undefined ? { alg: key.alg } : { alg: key.alg, kid: key.jwk.kid },
    )
    .setIssuer(TEST_ISSUER)
    .setAudience(TEST_AUDIENCE)
    .setSubject("client@clients")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(key.privateKey);
}

export interface JwksServer extends LoopbackServer {
  readonly jwksUri: string;
  /** Publish exactly these keys from now on. */
  publish(keys: readonly TestKey[]): void;
}

/** Serves `{ keys }` at /jwks.json: keys other than the local issuer's RSA ones (EC, no kid). */
export async function startJwksServer(keys: readonly TestKey[]): Promise<JwksServer> {
  let published = keys;
  const server = await startLoopbackServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
  });
  return {
    url: server.url,
    jwksUri: `${server.url}/jwks.json`,
    get requests() {
      return server.requests;
    },
    publish(next: readonly TestKey[]) {
      published = next;
    },
    close: () => server.close(),
  };
}
