import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  type ClientCredentialsOptions,
  createClientCredentialsTokenSource,
  parseClientPrivateKey,
} from "../src/client.ts";
import { retryAfterMs } from "../src/token-source/retry-after.ts";
import { retryDelayMs } from "../src/token-source/retry-delay.ts";

const SECRET = "s3cr3t-value-that-must-not-leak";
const valid: ClientCredentialsOptions = {
  tokenUrl: "https://tenant.eu.authaction.com/oauth2/m2m/token",
  clientId: "my-client",
  clientSecret: SECRET,
  audience: "https://api.example.com",
};

describe("createClientCredentialsTokenSource options", () => {
  it("accepts the minimal options and a URL object", () => {
    expect(() => createClientCredentialsTokenSource(valid)).not.toThrow();
    expect(() =>
      createClientCredentialsTokenSource({ ...valid, tokenUrl: new URL(String(valid.tokenUrl)) }),
    ).not.toThrow();
  });

  it.each<[string, Partial<ClientCredentialsOptions>, string]>([
    [
      "a relative token URL",
      { tokenUrl: "/oauth2/m2m/token" },
      "tokenUrl: must be an absolute http(s) URL",
    ],
    [
      "a non-http token URL",
      { tokenUrl: "ftp://x/token" },
      "tokenUrl: must be an absolute http(s) URL",
    ],
    [
      "credentials in the token URL",
      { tokenUrl: `https://id:${SECRET}@tenant.example/token` },
      "tokenUrl: must not contain user:password@",
    ],
    ["an empty client ID", { clientId: " " }, "clientId: must be a non-empty string"],
    ["an empty secret", { clientSecret: "" }, "clientSecret: must be a non-empty string"],
    ["an empty audience", { audience: "" }, "audience: must be a non-empty string"],
    ["a negative margin", { refreshMarginSeconds: -1 }, "refreshMarginSeconds:"],
    ["a zero timeout", { requestTimeoutMs: 0 }, "requestTimeoutMs:"],
    ["zero attempts", { retry: { maxAttempts: 0 } }, "retry.maxAttempts:"],
    ["a zero deadline", { retry: { deadlineMs: 0 } }, "retry.deadlineMs:"],
  ])("refuses %s at creation with a TypeError naming the option", (_, overrides, message) => {
    const create = () => createClientCredentialsTokenSource({ ...valid, ...overrides });
    expect(create).toThrow(TypeError);
    expect(create).toThrow(`createClientCredentialsTokenSource: ${message}`);
    try {
      create();
    } catch (error) {
      expect((error as Error).message).not.toContain(SECRET);
    }
  });
});

describe("createClientCredentialsTokenSource client authentication options", () => {
  const key = parseClientPrivateKey(
    JSON.stringify(
      generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" }),
    ),
  );
  const { clientSecret: _secret, ...withoutSecret } = valid;

  it("accepts private_key_jwt with a key and no secret, and client_secret_basic with a secret", () => {
    expect(() =>
      createClientCredentialsTokenSource({
        ...withoutSecret,
        clientAuthMethod: "private_key_jwt",
        clientPrivateKey: key,
      }),
    ).not.toThrow();
    expect(() =>
      createClientCredentialsTokenSource({ ...valid, clientAuthMethod: "client_secret_basic" }),
    ).not.toThrow();
  });

  it.each<[string, Partial<ClientCredentialsOptions>, string]>([
    [
      "no secret with client_secret_post",
      { clientSecret: undefined },
      "clientSecret: is required with client_secret_post",
    ],
    [
      "no key with private_key_jwt",
      { clientSecret: undefined, clientAuthMethod: "private_key_jwt" },
      "clientPrivateKey: is required with private_key_jwt",
    ],
    [
      "a secret beside the key",
      { clientAuthMethod: "private_key_jwt", clientPrivateKey: key },
      "clientSecret: must not be set with private_key_jwt",
    ],
    [
      "a key with a secret method",
      { clientAuthMethod: "client_secret_basic", clientPrivateKey: key },
      "clientPrivateKey: must not be set with client_secret_basic",
    ],
    [
      "an unknown method",
      { clientAuthMethod: "none" as "client_secret_post" },
      "clientAuthMethod:",
    ],
  ])("refuses %s with a TypeError naming the option", (_, overrides, message) => {
    const create = () => createClientCredentialsTokenSource({ ...valid, ...overrides });
    expect(create).toThrow(TypeError);
    expect(create).toThrow(`createClientCredentialsTokenSource: ${message}`);
  });
});

describe("retryAfterMs (RFC 9110 §10.2.3)", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  it("reads delta-seconds", () => {
    expect(retryAfterMs("0", now)).toBe(0);
    expect(retryAfterMs(" 120 ", now)).toBe(120_000);
  });
  it("reads an HTTP-date relative to now, a past one as 0", () => {
    expect(retryAfterMs("Wed, 01 Jan 2025 00:00:07 GMT", now)).toBe(7_000);
    expect(retryAfterMs("Tue, 31 Dec 2024 23:00:00 GMT", now)).toBe(0);
  });
  it("ignores an absent or unreadable header", () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs("1.5", now)).toBeUndefined();
    expect(retryAfterMs("-3", now)).toBeUndefined();
  });
});

describe("retryDelayMs (exponential backoff, full jitter)", () => {
  it("draws from [0, base * 2^(attempt-1)), capped by the maximum", () => {
    expect(retryDelayMs(1, 200, 5000, () => 0)).toBe(0);
    expect(retryDelayMs(1, 200, 5000, () => 0.999)).toBe(199);
    expect(retryDelayMs(3, 200, 5000, () => 0.5)).toBe(400);
    expect(retryDelayMs(10, 200, 5000, () => 0.999)).toBe(4995);
  });
});
