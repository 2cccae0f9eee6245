import {
  type AccessTokenVerifierOptions,
  createAccessTokenVerifier,
  MAX_CLOCK_TOLERANCE_SECONDS,
} from "@repo/auth/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiConfigFromEnv } from "../src/index.ts";
import { send } from "./support/http-exchange.ts";
import { createFixture, type Fixture, issuerSigned, stackEnv } from "./support/security-fixture.ts";
import { runEntryPoint, startApiFromEnv } from "./support/start-stack.ts";

// Configuration: the clock tolerance is a small finite number of seconds (a negative,
// infinite or large value is refused at start, GHSA-687g-22h4-j4w4); no HMAC or none can be
// allowed; the token length limit is bounded and applies.
const BASE = { AUTHACTION_DOMAIN: "tenant.example.com", AUTHACTION_AUDIENCE: "https://api" };
const OPTIONS: AccessTokenVerifierOptions = {
  issuer: "https://tenant.example.com",
  audience: "https://api",
  jwksUri: "https://tenant.example.com/.well-known/jwks.json",
};

describe("clock tolerance", () => {
  it.each(["-1", "-5", "Infinity", "-Infinity", "NaN", "301", "3600", "1e9", "5.5", "five"])(
    "AUTHACTION_CLOCK_TOLERANCE_SECONDS=%s is refused at start",
    (value) => {
      expect(() =>
        apiConfigFromEnv({ ...BASE, AUTHACTION_CLOCK_TOLERANCE_SECONDS: value }),
      ).toThrow(/^AUTHACTION_CLOCK_TOLERANCE_SECONDS: expected whole seconds, from 0 to 300/);
    },
  );

  it.each(["0", "5", "300"])("AUTHACTION_CLOCK_TOLERANCE_SECONDS=%s is accepted", (value) => {
    expect(
      apiConfigFromEnv({ ...BASE, AUTHACTION_CLOCK_TOLERANCE_SECONDS: value }).verifier
        .clockToleranceSeconds,
    ).toBe(Number(value));
  });

  it.each([
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NaN,
    -1,
    MAX_CLOCK_TOLERANCE_SECONDS + 1,
    0.5,
  ])("clockToleranceSeconds %s is refused by createAccessTokenVerifier", (value) => {
    expect(() => createAccessTokenVerifier({ ...OPTIONS, clockToleranceSeconds: value })).toThrow(
      /^clockToleranceSeconds: expected/,
    );
  });

  it("defaults to 5 seconds and is at most 300", () => {
    expect(createAccessTokenVerifier(OPTIONS).options.clockToleranceSeconds).toBe(5);
    expect(MAX_CLOCK_TOLERANCE_SECONDS).toBe(300);
  });
});

describe("algorithms", () => {
  it.each(["none", "HS256", "RS256,HS256", "RS256,none", "rs256", "RS256,,PS256", "RSA-OAEP"])(
    "AUTHACTION_ALGORITHMS=%s is refused at start",
    (value) => {
      expect(() => apiConfigFromEnv({ ...BASE, AUTHACTION_ALGORITHMS: value })).toThrow(
        /^AUTHACTION_ALGORITHMS: /,
      );
    },
  );

  it.each([["none"], ["HS256"], ["HS512"], []])(
    "algorithms %j is refused by createAccessTokenVerifier",
    (...algorithms) => {
      expect(() =>
        createAccessTokenVerifier({
          ...OPTIONS,
          algorithms: algorithms as unknown as AccessTokenVerifierOptions["algorithms"],
        }),
      ).toThrow(/^algorithms/);
    },
  );

  it("defaults to RS256 only and reads a comma list", () => {
    // Unset, the verifier's own default applies (written once, in @repo/auth).
    expect(apiConfigFromEnv(BASE).verifier.algorithms).toBeUndefined();
    expect(createAccessTokenVerifier(apiConfigFromEnv(BASE).verifier).options.algorithms).toEqual([
      "RS256",
    ]);
    expect(
      apiConfigFromEnv({ ...BASE, AUTHACTION_ALGORITHMS: "RS256, PS256,ES256" }).verifier
        .algorithms,
    ).toEqual(["RS256", "PS256", "ES256"]);
  });
});

describe("limits", () => {
  it.each(["255", "65537", "0", "-1", "Infinity"])(
    "AUTHACTION_MAX_TOKEN_LENGTH=%s is refused",
    (value) => {
      expect(() => apiConfigFromEnv({ ...BASE, AUTHACTION_MAX_TOKEN_LENGTH: value })).toThrow(
        /^AUTHACTION_MAX_TOKEN_LENGTH: /,
      );
    },
  );

  it.each(["1023", "10485761", "Infinity"])("API_MAX_BODY_BYTES=%s is refused", (value) => {
    expect(() => apiConfigFromEnv({ ...BASE, API_MAX_BODY_BYTES: value })).toThrow(
      /^API_MAX_BODY_BYTES: /,
    );
  });

  it("defaults: tokens up to 8192 characters, bodies up to 64 KiB", () => {
    const config = apiConfigFromEnv(BASE);
    expect(createAccessTokenVerifier(config.verifier).options.maxTokenLength).toBe(8192);
    expect(config.maxBodyBytes).toBe(65_536);
  });

  it("AUTHACTION_REQUIRE_AT_JWT accepts only true/false spellings", () => {
    expect(apiConfigFromEnv({ ...BASE, AUTHACTION_REQUIRE_AT_JWT: "true" }).verifier).toMatchObject(
      {
        requireAccessTokenType: true,
      },
    );
    expect(() => apiConfigFromEnv({ ...BASE, AUTHACTION_REQUIRE_AT_JWT: "sometimes" })).toThrow(
      /^AUTHACTION_REQUIRE_AT_JWT: /,
    );
  });
});

describe("the configured values apply", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  async function statusWith(env: Record<string, string>, token: string): Promise<number> {
    const api = await startApiFromEnv({ ...stackEnv("default", f), ...env });
    try {
      return (await send(api.url, "/protected", { authorization: `Bearer ${token}` })).status;
    } finally {
      await api.close();
    }
  }

  it("a token expired 2 s ago is inside the default 5 s tolerance, outside a 0 s one", async () => {
    const token = issuerSigned(f, { claims: { exp: Math.floor(Date.now() / 1000) - 2 } });
    expect(await statusWith({}, token)).toBe(200);
    expect(await statusWith({ AUTHACTION_CLOCK_TOLERANCE_SECONDS: "0" }, token)).toBe(401);
  });

  it("AUTHACTION_MAX_TOKEN_LENGTH=512 refuses an otherwise valid token longer than that", async () => {
    const token = issuerSigned(f);
    expect(token.length).toBeGreaterThan(512);
    expect(await statusWith({ AUTHACTION_MAX_TOKEN_LENGTH: "512" }, token)).toBe(401);
    expect(await statusWith({}, token)).toBe(200);
  });

  it("the real entry point refuses an infinite clock tolerance at start, naming it", async () => {
    const { code, stderr } = await runEntryPoint({
      PORT: "0",
      HOST: "127.0.0.1",
      ...BASE,
      AUTHACTION_CLOCK_TOLERANCE_SECONDS: "Infinity",
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^api: configuration error: AUTHACTION_CLOCK_TOLERANCE_SECONDS: expected whole seconds, from 0 to 300/,
    );
  });
});
