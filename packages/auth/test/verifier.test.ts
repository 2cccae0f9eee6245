import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AccessTokenVerifierOptions,
  type AuthError,
  createAccessTokenVerifier,
} from "../src/server.ts";
import { authErrorOf } from "./support/auth-error-of.ts";

let issuer: LocalIssuer;

beforeAll(async () => {
  issuer = await startLocalIssuer();
});
afterAll(async () => {
  await issuer.close();
});

function verifierFor(overrides: Partial<AccessTokenVerifierOptions> = {}) {
  return createAccessTokenVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUri: issuer.jwksUri,
    ...overrides,
  });
}

const now = () => Math.floor(Date.now() / 1000);

describe("verifier: acceptance", () => {
  it("accepts a token obtained from the issuer's token endpoint and exposes typed claims", async () => {
    const response = await fetch(issuer.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_id: "demo-client",
        client_secret: "demo-secret",
        audience: issuer.audience,
        grant_type: "client_credentials",
      }),
    });
    const { access_token } = (await response.json()) as { access_token: string };
    const token = await verifierFor().verify(access_token);
    expect(token.sub).toBe("demo-client@clients");
    expect(token.clientId).toBe("demo-client");
    expect(token.scopes).toEqual(["read:public", "read:secret", "read:messages", "write:messages"]);
    expect(token.issuer).toBe(issuer.issuer);
    expect(token.audience).toEqual([issuer.audience]);
    expect(token.expiresAt.getTime()).toBeGreaterThan(Date.now() + 86_000_000);
    expect(token.claims.client_id).toBe("demo-client");
  });

  it("accepts an audience array that contains the configured audience", async () => {
    const jwt = await issuer.signToken({ audience: ["https://other.example", issuer.audience] });
    await expect(verifierFor().verify(jwt)).resolves.toMatchObject({ sub: "demo-client@clients" });
  });

  it("reads scopes from scp and permissions arrays as well as scope", async () => {
    const jwt = await issuer.signToken({
      scope: "a b",
      claims: { scp: ["c"], permissions: ["d", "a"] },
    });
    expect((await verifierFor().verify(jwt)).scopes).toEqual(["a", "b", "c", "d"]);
  });

  it("accepts exactly the two spellings of a domain-derived AuthAction issuer", async () => {
    const verifier = verifierFor({
      issuer: ["https://tenant.example.com", "https://tenant.example.com/"],
    });
    for (const iss of ["https://tenant.example.com", "https://tenant.example.com/"]) {
      await expect(verifier.verify(await issuer.signToken({ issuer: iss }))).resolves.toBeDefined();
    }
    for (const iss of [
      "https://tenant.example.com//",
      "http://tenant.example.com",
      "https://evil.example.com",
    ]) {
      const error = await authErrorOf(verifier.verify(await issuer.signToken({ issuer: iss })));
      expect(error.code).toBe("wrong_issuer");
    }
  });

  it("accepts a token expired by less than the clock tolerance", async () => {
    const jwt = await issuer.signToken({ issuedAt: now() - 100, expiresInSeconds: 97 });
    await expect(verifierFor({ clockToleranceSeconds: 10 }).verify(jwt)).resolves.toBeDefined();
  });
});

describe("verifier: each refusal has its code", () => {
  const cases: Array<[string, () => Promise<string>, AuthError["code"]]> = [
    [
      "expired",
      () => issuer.signToken({ issuedAt: now() - 3600, expiresInSeconds: 60 }),
      "expired",
    ],
    ["not yet valid", () => issuer.signToken({ notBefore: now() + 3600 }), "not_yet_valid"],
    [
      "wrong issuer (trailing slash)",
      () => issuer.signToken({ issuer: `${issuer.issuer}/` }),
      "wrong_issuer",
    ],
    [
      "wrong audience",
      () => issuer.signToken({ audience: "https://other.example" }),
      "wrong_audience",
    ],
    [
      "audience array without ours",
      () => issuer.signToken({ audience: ["https://a.example", "https://b.example"] }),
      "wrong_audience",
    ],
    ["no sub", () => issuer.signToken({ claims: { sub: undefined } }), "missing_claim"],
    ["no exp", () => issuer.signToken({ claims: { exp: undefined } }), "missing_claim"],
    [
      "exp as a string",
      () => issuer.signToken({ claims: { exp: String(now() + 600) } }),
      "invalid_claim",
    ],
    ["sub as a number", () => issuer.signToken({ claims: { sub: 42 } }), "invalid_claim"],
    ["empty sub", () => issuer.signToken({ claims: { sub: "" } }), "invalid_claim"],
    [
      "iat in the future",
      () => issuer.signToken({ issuedAt: now() + 3600, expiresInSeconds: 60 }),
      "invalid_claim",
    ],
    [
      "tampered payload",
      async () => {
        const [h, , s] = (await issuer.signToken()).split(".");
        const payload = Buffer.from(
          JSON.stringify({
            sub: "admin@clients",
            iss: issuer.issuer,
            aud: issuer.audience,
            exp: now() + 600,
          }),
        ).toString("base64url");
        return `${h}.${payload}.${s}`;
      },
      "bad_signature",
    ],
    [
      "foreign key with an unknown kid",
      async () => {
        const { privateKey } = await generateKeyPair("RS256");
        return new SignJWT({ sub: "x@clients" })
          .setProtectedHeader({ alg: "RS256", kid: "attacker" })
          .setIssuer(issuer.issuer)
          .setAudience(issuer.audience)
          .setIssuedAt()
          .setExpirationTime("1h")
          .sign(privateKey);
      },
      "unknown_key",
    ],
    [
      "foreign key claiming the issuer's kid",
      async () => {
        const { privateKey } = await generateKeyPair("RS256");
        return new SignJWT({ sub: "x@clients" })
          .setProtectedHeader({ alg: "RS256", kid: issuer.keys().signing })
          .setIssuer(issuer.issuer)
          .setAudience(issuer.audience)
          .setIssuedAt()
          .setExpirationTime("1h")
          .sign(privateKey);
      },
      "bad_signature",
    ],
    [
      "HS256 (not in the allow-list)",
      async () => {
        return new SignJWT({ sub: "x@clients" })
          .setProtectedHeader({ alg: "HS256", kid: issuer.keys().signing })
          .setIssuer(issuer.issuer)
          .setAudience(issuer.audience)
          .setIssuedAt()
          .setExpirationTime("1h")
          .sign(new TextEncoder().encode("a-shared-secret-of-32-bytes-long!"));
      },
      "unsupported_algorithm",
    ],
    ["not a JWT", async () => "not-a-jwt", "malformed_token"],
    ["three garbage segments", async () => "a.b.c", "malformed_token"],
  ];

  for (const [name, make, code] of cases) {
    it(`refuses a token: ${name} -> ${code}`, async () => {
      const error = await authErrorOf(verifierFor().verify(await make()));
      expect(error.code).toBe(code);
      expect(error.message).not.toMatch(/eyJ/);
    });
  }

  it("refuses a token longer than the maximum before parsing it", async () => {
    const error = await authErrorOf(
      verifierFor({ maxTokenLength: 1024 }).verify(`${"a".repeat(1025)}`),
    );
    expect(error.code).toBe("token_too_large");
  });

  it("reports key_set_unavailable when the JWKS cannot be fetched and nothing is cached", async () => {
    const verifier = verifierFor({ jwksUri: "http://127.0.0.1:9/.well-known/jwks.json" });
    const error = await authErrorOf(verifier.verify(await issuer.signToken()));
    expect(error.code).toBe("key_set_unavailable");
  });

  it("requires typ at+jwt only when configured (RFC 9068)", async () => {
    const plain = await issuer.signToken();
    await expect(verifierFor().verify(plain)).resolves.toBeDefined();
    const error = await authErrorOf(verifierFor({ requireAccessTokenType: true }).verify(plain));
    expect(error.code).toBe("wrong_type");
    const typed = await issuer.signToken({ header: { typ: "at+jwt" } });
    await expect(
      verifierFor({ requireAccessTokenType: true }).verify(typed),
    ).resolves.toBeDefined();
  });

  it("carries sub and client_id on refusals after a valid signature, for logs", async () => {
    const error = await authErrorOf(
      verifierFor().verify(await issuer.signToken({ audience: "https://x.example" })),
    );
    expect(error).toMatchObject({
      code: "wrong_audience",
      subject: "demo-client@clients",
      clientId: "demo-client",
    });
    expect(error.kid).toBe(issuer.keys().signing);
  });
});

describe("verifier: time claims past year 9999", () => {
  // 253402300799 is 9999-12-31T23:59:59Z; from 8.64e12 a Date is Invalid and never compares
  // as passed, so such a token would be cached and streamed for ever.
  const BOUND = 253_402_300_799;

  it.each([
    ["exp", BOUND + 1],
    ["exp", 8.64e12],
    ["exp", 1e300],
    ["nbf", 1e300],
    ["nbf", BOUND + 1],
    ["nbf", 8.64e12],
    ["iat", BOUND + 1],
    ["iat", 8.64e12],
  ])(
    "refuses a signed token whose %s is %d as invalid_claim, out of range",
    async (claim, value) => {
      const jwt = await issuer.signToken({ claims: { [claim]: value } });
      const verifier = verifierFor();
      const error = await authErrorOf(verifier.verify(jwt));
      expect(error).toMatchObject({
        code: "invalid_claim",
        message: `Token ${claim} claim is out of range`,
        subject: "demo-client@clients",
      });
      // Refused, so never cached: the next attempt is refused again.
      expect(verifier.cached(jwt)).toBeUndefined();
      expect((await authErrorOf(verifier.verify(jwt))).code).toBe("invalid_claim");
    },
  );

  it("accepts an exp at the bound, and judges nbf and iat there by the clock as before", async () => {
    const token = await verifierFor().verify(await issuer.signToken({ claims: { exp: BOUND } }));
    expect(token.expiresAt.toISOString()).toBe("9999-12-31T23:59:59.000Z");
    const early = await authErrorOf(
      verifierFor().verify(await issuer.signToken({ notBefore: BOUND })),
    );
    expect(early.code).toBe("not_yet_valid");
    const issued = await authErrorOf(
      verifierFor().verify(await issuer.signToken({ claims: { iat: BOUND } })),
    );
    expect(issued).toMatchObject({ code: "invalid_claim", message: "Token iat claim is invalid" });
  });
});

describe("verifier: options are validated at creation", () => {
  it.each([
    [{ algorithms: ["HS256"] }, "algorithms"],
    [{ algorithms: ["none"] }, "algorithms"],
    [{ clockToleranceSeconds: -1 }, "clockToleranceSeconds"],
    [{ clockToleranceSeconds: Number.POSITIVE_INFINITY }, "clockToleranceSeconds"],
    [{ clockToleranceSeconds: 3600 }, "clockToleranceSeconds"],
    [{ jwksUri: "file:///etc/passwd" }, "jwksUri"],
    [{ audience: [] }, "audience"],
  ])("refuses %j naming %s", (overrides, name) => {
    expect(() => verifierFor(overrides as Partial<AccessTokenVerifierOptions>)).toThrow(
      new RegExp(`^${name}`),
    );
  });
});

describe("verifier: cache statistics", () => {
  it("counts a first verification as a miss, a repeat as a hit, and holds one entry", async () => {
    const verifier = verifierFor();
    expect(verifier.stats()).toEqual({
      cacheHits: 0,
      cacheMisses: 0,
      cacheSize: 0,
      cacheMaxEntries: 10_000,
    });
    const jwt = await issuer.signToken();
    await verifier.verify(jwt);
    await verifier.verify(jwt);
    await verifier.verify(jwt);
    expect(verifier.stats()).toEqual({
      cacheHits: 2,
      cacheMisses: 1,
      cacheSize: 1,
      cacheMaxEntries: 10_000,
    });
  });

  it("counts a refused token as a miss and caches nothing for it", async () => {
    const verifier = verifierFor();
    const expired = await issuer.signToken({ claims: { exp: now() - 3600 } });
    await authErrorOf(verifier.verify(expired));
    await authErrorOf(verifier.verify(expired));
    expect(verifier.stats()).toMatchObject({ cacheHits: 0, cacheMisses: 2, cacheSize: 0 });
  });

  it("does not count tokens refused before the cache is consulted", async () => {
    const verifier = verifierFor({ maxTokenLength: 256 });
    await authErrorOf(verifier.verify(""));
    await authErrorOf(verifier.verify("a".repeat(300)));
    expect(verifier.stats()).toMatchObject({ cacheHits: 0, cacheMisses: 0 });
  });

  it("reports zeros and a bound of 0 when the cache is off", async () => {
    const verifier = verifierFor({ cache: false });
    const jwt = await issuer.signToken();
    await verifier.verify(jwt);
    await verifier.verify(jwt);
    expect(verifier.stats()).toEqual({
      cacheHits: 0,
      cacheMisses: 0,
      cacheSize: 0,
      cacheMaxEntries: 0,
    });
  });
});
