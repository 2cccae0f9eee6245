import { ConfigurationError } from "@repo/env";
import { describe, expect, it } from "vitest";
import { DEFAULT_CLIENTS } from "../src/index.ts";
import { issuerConfigFromEnv } from "../src/issuer-env.ts";

// A P-256 public key (RFC 7517 appendix A.1).
const EC_PUBLIC = {
  kty: "EC",
  crv: "P-256",
  x: "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
  y: "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
  kid: "client-key-1",
};

function refusal(env: Record<string, string>): string {
  try {
    issuerConfigFromEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigurationError");
}

describe("issuerConfigFromEnv", () => {
  it("uses the documented defaults for an empty environment", () => {
    expect(issuerConfigFromEnv({})).toEqual({
      port: 9000,
      host: "127.0.0.1",
      issuer: "http://localhost:9000",
      audiences: ["https://api.example.com"],
      clients: DEFAULT_CLIENTS,
      tokenLifetimeSeconds: 86400,
      admin: false,
      dpopNonce: false,
      production: false,
    });
  });

  it("reads every variable, treating empty values as unset", () => {
    const result = issuerConfigFromEnv({
      ISSUER_PORT: "9100",
      ISSUER_HOST: "",
      ISSUER_URL: "https://tenant.example/",
      AUTHACTION_AUDIENCE: "https://a.example, https://b.example",
      ISSUER_CLIENTS: '[{"clientId":"c","clientSecret":"s","scopes":["x"]}]',
      ISSUER_TOKEN_LIFETIME_SECONDS: "60",
      ISSUER_ADMIN: "true",
      ISSUER_DPOP_NONCE: "true",
    });
    expect(result).toEqual({
      port: 9100,
      host: "127.0.0.1",
      issuer: "https://tenant.example/",
      audiences: ["https://a.example", "https://b.example"],
      clients: [{ clientId: "c", clientSecret: "s", scopes: ["x"] }],
      tokenLifetimeSeconds: 60,
      admin: true,
      dpopNonce: true,
      production: false,
    });
  });

  it("registers a client by its public JWK (private_key_jwt) beside clients with secrets", () => {
    const clients = [
      { clientId: "c", clientSecret: "s", scopes: ["x"] },
      { clientId: "k", publicJwk: EC_PUBLIC, scopes: ["read:public"] },
    ];
    expect(issuerConfigFromEnv({ ISSUER_CLIENTS: JSON.stringify(clients) }).clients).toEqual(
      clients,
    );
  });

  it("leaves the issuer to the bound URL when the port is 0", () => {
    expect(issuerConfigFromEnv({ ISSUER_PORT: "0" }).issuer).toBeUndefined();
  });

  it.each([
    ["ISSUER_PORT", "abc"],
    ["ISSUER_PORT", "70000"],
    ["ISSUER_HOST", "has space"],
    ["ISSUER_URL", "ftp://x.example"],
    ["AUTHACTION_AUDIENCE", "a,,b"],
    ["ISSUER_CLIENTS", "{not json"],
    ["ISSUER_CLIENTS", '[{"clientId":"c"}]'],
    [
      "ISSUER_CLIENTS",
      '[{"clientId":"c","clientSecret":"s","scopes":[]},{"clientId":"c","clientSecret":"t","scopes":[]}]',
    ],
    [
      "ISSUER_CLIENTS",
      `[{"clientId":"k","publicJwk":${JSON.stringify({ ...EC_PUBLIC, d: "c2VjcmV0" })},"scopes":[]}]`,
    ],
    ["ISSUER_CLIENTS", '[{"clientId":"k","publicJwk":{"kty":"oct","k":"c2VjcmV0"},"scopes":[]}]'],
    [
      "ISSUER_CLIENTS",
      `[{"clientId":"k","clientSecret":"s","publicJwk":${JSON.stringify(EC_PUBLIC)},"scopes":[]}]`,
    ],
    ["ISSUER_TOKEN_LIFETIME_SECONDS", "0"],
    ["ISSUER_DPOP_NONCE", "maybe"],
    ["ISSUER_ADMIN", "maybe"],
    ["ISSUER_ALLOW_UNSAFE", "maybe"],
  ])("rejects %s=%s with one line naming the variable", (name, value) => {
    const message = refusal({ [name]: value });
    expect(message).toMatch(new RegExp(`^${name}: expected .+$`));
    expect(message).not.toContain("\n");
  });

  it("does not echo client secrets in the message", () => {
    expect(
      refusal({ ISSUER_CLIENTS: '[{"clientId":"c","clientSecret":"hunter2"}]' }),
    ).not.toContain("hunter2");
  });

  it.each(["production", "Production", " PRODUCTION "])(
    "refuses NODE_ENV=%s with one line naming NODE_ENV and the opt-in",
    (nodeEnv) => {
      const message = refusal({ NODE_ENV: nodeEnv });
      expect(message).toBe(
        "NODE_ENV: is production, and the local issuer hands out tokens with every scope to its demo clients: it refuses to start (ISSUER_ALLOW_UNSAFE=true overrides, unsafe)",
      );
    },
  );

  it.each(["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "::ffff:10.0.0.1", "issuer.internal"])(
    "refuses ISSUER_HOST=%s (not loopback) with one line naming ISSUER_HOST",
    (host) => {
      expect(refusal({ ISSUER_HOST: host })).toBe(
        "ISSUER_HOST: expected a loopback address (localhost, 127.0.0.0/8 or ::1): elsewhere other machines can obtain tokens from the local issuer (ISSUER_ALLOW_UNSAFE=true overrides, unsafe)",
      );
    },
  );

  it.each(["127.0.0.1", "127.10.0.3", "::1", "localhost", "LOCALHOST", "::ffff:127.0.0.1"])(
    "listens on the loopback ISSUER_HOST=%s",
    (host) => {
      expect(issuerConfigFromEnv({ ISSUER_HOST: host }).host).toBe(host);
    },
  );

  it.each(["development", "test", "staging", ""])("starts under NODE_ENV=%s", (nodeEnv) => {
    expect(issuerConfigFromEnv({ NODE_ENV: nodeEnv }).production).toBe(false);
  });

  it("starts under NODE_ENV=production on every interface when ISSUER_ALLOW_UNSAFE=true", () => {
    const config = issuerConfigFromEnv({
      NODE_ENV: "production",
      ISSUER_HOST: "0.0.0.0",
      ISSUER_ALLOW_UNSAFE: "true",
    });
    expect(config).toMatchObject({ host: "0.0.0.0", production: true });
    expect(refusal({ NODE_ENV: "production", ISSUER_ALLOW_UNSAFE: "false" })).toMatch(
      /^NODE_ENV: /,
    );
  });

  it("registers the demo key client, whose private key is published, only outside production", () => {
    const ids = (env: Record<string, string>) =>
      issuerConfigFromEnv(env).clients.map((client) => client.clientId);
    expect(ids({})).toEqual(["demo-client", "limited-client", "demo-key-client"]);
    expect(ids({ NODE_ENV: "production", ISSUER_ALLOW_UNSAFE: "true" })).toEqual([
      "demo-client",
      "limited-client",
    ]);
  });
});
