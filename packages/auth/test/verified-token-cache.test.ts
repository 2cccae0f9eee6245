import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RemoteKeySet } from "../src/key-set/remote-key-set.ts";
import { AuthError, createAccessTokenVerifier } from "../src/server.ts";
import { VerifiedTokenCache } from "../src/verified-token-cache.ts";

let issuer: LocalIssuer;
beforeAll(async () => {
  issuer = await startLocalIssuer();
});
afterAll(async () => {
  await issuer.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("verified-token cache", () => {
  it("never holds more than its bound, evicting the least recently used", async () => {
    const keySet = new RemoteKeySet(issuer.jwksUri);
    const cache = new VerifiedTokenCache(3, keySet);
    const verifier = createAccessTokenVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUri: issuer.jwksUri,
      cache: false,
    });
    // Real verified entries, resolved through the real key set so that their key versions are current.
    const tokens = await Promise.all(
      Array.from({ length: 5 }, (_, i) => issuer.signToken({ claims: { jti: `c${i}` } })),
    );
    for (const jwt of tokens) {
      const token = await verifier.verify(jwt);
      const { version } = await keySet.resolve({ alg: "RS256", kid: issuer.keys().signing });
      cache.set(jwt, token, issuer.keys().signing, version);
    }
    expect(cache.size).toBe(3);
    expect(cache.get(tokens[0] as string)).toBeUndefined();
    expect(cache.get(tokens[1] as string)).toBeUndefined();
    expect(cache.get(tokens[4] as string)?.sub).toBe("demo-client@clients");
  });

  it("checks exp on every hit: a cached token is refused once it expires", async () => {
    const verifier = createAccessTokenVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUri: issuer.jwksUri,
      clockToleranceSeconds: 0,
    });
    const jwt = await issuer.signToken({ expiresInSeconds: 2 });
    await expect(verifier.verify(jwt)).resolves.toBeDefined();
    await expect(verifier.verify(jwt)).resolves.toBeDefined();
    await sleep(2_100);
    const error = await verifier.verify(jwt).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe("expired");
  });

  it("is per verifier: a token cached by one configuration is not accepted by another", async () => {
    const jwt = await issuer.signToken();
    const a = createAccessTokenVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      jwksUri: issuer.jwksUri,
    });
    const b = createAccessTokenVerifier({
      issuer: issuer.issuer,
      audience: "https://other.example",
      jwksUri: issuer.jwksUri,
    });
    await expect(a.verify(jwt)).resolves.toBeDefined();
    const error = await b.verify(jwt).catch((e: unknown) => e);
    expect((error as AuthError).code).toBe("wrong_audience");
  });
});
