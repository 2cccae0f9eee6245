import { generateKeyPairSync } from "node:crypto";
import { createClientCredentialsTokenSource, createDpopSigner } from "@repo/auth/client";
import { ConfigurationError } from "@repo/env";
import { startLocalIssuer } from "@repo/issuer";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import {
  clientConfigFromEnv,
  clientCredentialsOptionsFromEnv,
  clientCredentialsSettingsFromEnv,
  localKeyClientEnv,
} from "../src/client-config.ts";

const SECRET = "s3cr3t-value-that-must-not-leak";
const base = {
  AUTHACTION_DOMAIN: "tenant.eu.authaction.com",
  AUTHACTION_CLIENT_ID: "my-client",
  AUTHACTION_CLIENT_SECRET: SECRET,
  AUTHACTION_AUDIENCE: "https://api.example.com",
};

function configurationError(env: Record<string, string | undefined>): ConfigurationError {
  try {
    clientCredentialsOptionsFromEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).not.toContain(SECRET);
    return error as ConfigurationError;
  }
  throw new Error("expected a ConfigurationError");
}

describe("clientCredentialsOptionsFromEnv", () => {
  it("derives AuthAction's token URL from AUTHACTION_DOMAIN and defaults to the JSON format", () => {
    expect(clientCredentialsOptionsFromEnv(base)).toEqual({
      tokenUrl: "https://tenant.eu.authaction.com/oauth2/m2m/token",
      clientId: "my-client",
      clientAuthMethod: "client_secret_post",
      clientSecret: SECRET,
      audience: "https://api.example.com",
      format: "json",
    });
  });

  it("derives the token URL from AUTHACTION_ISSUER, without doubling its trailing slash", () => {
    const env = {
      ...base,
      AUTHACTION_DOMAIN: undefined,
      AUTHACTION_ISSUER: "http://localhost:9000/",
    };
    expect(clientCredentialsOptionsFromEnv(env).tokenUrl).toBe(
      "http://localhost:9000/oauth2/m2m/token",
    );
  });

  it("takes AUTHACTION_TOKEN_URL as given, needing no tenant then", () => {
    const env = {
      ...base,
      AUTHACTION_DOMAIN: undefined,
      AUTHACTION_TOKEN_URL: "https://auth.example.com/oauth/token",
      AUTHACTION_TOKEN_REQUEST_FORMAT: "form",
    };
    const options = clientCredentialsOptionsFromEnv(env);
    expect(options.tokenUrl).toBe("https://auth.example.com/oauth/token");
    expect(options.format).toBe("form");
  });

  it.each([
    ["AUTHACTION_CLIENT_ID", { AUTHACTION_CLIENT_ID: undefined }],
    ["AUTHACTION_CLIENT_ID", { AUTHACTION_CLIENT_ID: "  " }],
    ["AUTHACTION_CLIENT_SECRET", { AUTHACTION_CLIENT_SECRET: undefined }],
    ["AUTHACTION_AUDIENCE", { AUTHACTION_AUDIENCE: "" }],
    ["AUTHACTION_TOKEN_REQUEST_FORMAT", { AUTHACTION_TOKEN_REQUEST_FORMAT: "xml" }],
    ["AUTHACTION_TOKEN_URL", { AUTHACTION_TOKEN_URL: "not a url" }],
    ["AUTHACTION_DOMAIN", { AUTHACTION_DOMAIN: undefined }],
    ["AUTHACTION_DOMAIN", { AUTHACTION_DOMAIN: "https://tenant.eu.authaction.com/" }],
    ["AUTHACTION_ISSUER", { AUTHACTION_DOMAIN: undefined, AUTHACTION_ISSUER: "localhost:9000" }],
  ])("names %s when it is missing or malformed", (variable, overrides) => {
    const error = configurationError({ ...base, ...overrides });
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
  });

  it.each([
    ["API_URL", { API_URL: "http://alice:pa55word@127.0.0.1:3000" }],
    ["AUTHACTION_TOKEN_URL", { AUTHACTION_TOKEN_URL: "https://alice:pa55word@auth.example.com/t" }],
  ])("refuses %s with user:password@ without echoing it", (variable, overrides) => {
    let error: unknown;
    try {
      clientConfigFromEnv({ ...base, API_URL: "https://api.example.com", ...overrides });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).variable).toBe(variable);
    expect((error as Error).message).toMatch(/without user:password@/);
    expect((error as Error).message).not.toMatch(/alice|pa55word/);
  });

  it("still checks a malformed AUTHACTION_DOMAIN when AUTHACTION_TOKEN_URL is set", () => {
    const error = configurationError({
      ...base,
      AUTHACTION_DOMAIN: "not a domain",
      AUTHACTION_TOKEN_URL: "https://auth.example.com/oauth/token",
    });
    expect(error.variable).toBe("AUTHACTION_DOMAIN");
  });

  it("configures a token source that works against the local issuer", async () => {
    const issuer = await startLocalIssuer();
    try {
      const options = clientCredentialsOptionsFromEnv({
        AUTHACTION_ISSUER: issuer.url,
        AUTHACTION_CLIENT_ID: "limited-client",
        AUTHACTION_CLIENT_SECRET: "limited-secret",
        AUTHACTION_AUDIENCE: issuer.audience,
      });
      expect(options.tokenUrl).toBe(issuer.tokenUrl);
      const token = await createClientCredentialsTokenSource(options).getToken();
      expect(decodeJwt(token).scope).toBe("read:public");
    } finally {
      await issuer.close();
    }
  });
});

describe("clientCredentialsSettingsFromEnv: private_key_jwt, client_secret_basic and DPoP", () => {
  const keyPair = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const privateJwk = { ...keyPair.privateKey.export({ format: "jwk" }), kid: "k1", alg: "ES256" };
  const keyEnv = {
    ...base,
    AUTHACTION_CLIENT_SECRET: undefined,
    AUTHACTION_CLIENT_AUTH_METHOD: "private_key_jwt",
    AUTHACTION_CLIENT_PRIVATE_KEY: JSON.stringify(privateJwk),
  };

  it("reads the key, needs no secret, sends assertions to the tenant's issuer in a form body", () => {
    const { credentials, dpop } = clientCredentialsSettingsFromEnv(keyEnv);
    expect(credentials).toMatchObject({
      tokenUrl: "https://tenant.eu.authaction.com/oauth2/m2m/token",
      clientId: "my-client",
      clientAuthMethod: "private_key_jwt",
      clientPrivateKey: { algorithm: "ES256", keyId: "k1" },
      assertionAudience: "https://tenant.eu.authaction.com",
      format: "form",
    });
    expect(credentials.clientSecret).toBeUndefined();
    expect(dpop).toBe(false);
    // AUTHACTION_ISSUER is the issuer identifier exactly, trailing slash and all.
    const issuerEnv = {
      ...keyEnv,
      AUTHACTION_DOMAIN: undefined,
      AUTHACTION_ISSUER: "https://id.example/",
    };
    expect(clientCredentialsOptionsFromEnv(issuerEnv).assertionAudience).toBe(
      "https://id.example/",
    );
  });

  it("refuses a client secret beside private_key_jwt", () => {
    const error = configurationError({ ...keyEnv, AUTHACTION_CLIENT_SECRET: SECRET });
    expect(error.variable).toBe("AUTHACTION_CLIENT_SECRET");
    expect(error.message).toMatch(
      /must not be set with AUTHACTION_CLIENT_AUTH_METHOD=private_key_jwt/,
    );
  });

  it.each([
    "AUTHACTION_CLIENT_PRIVATE_KEY",
    "AUTHACTION_CLIENT_PRIVATE_KEY_FILE",
    "AUTHACTION_CLIENT_KEY_ID",
  ])("refuses %s with a secret method", (variable) => {
    const error = configurationError({ ...base, [variable]: "x" });
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(/only read with AUTHACTION_CLIENT_AUTH_METHOD=private_key_jwt/);
  });

  it("takes client_secret_basic with a secret, in a form body unless told otherwise", () => {
    const env = { ...base, AUTHACTION_CLIENT_AUTH_METHOD: "client_secret_basic" };
    expect(clientCredentialsOptionsFromEnv(env)).toMatchObject({
      clientAuthMethod: "client_secret_basic",
      clientSecret: SECRET,
      format: "form",
    });
    expect(configurationError({ ...env, AUTHACTION_CLIENT_SECRET: undefined }).variable).toBe(
      "AUTHACTION_CLIENT_SECRET",
    );
  });

  it.each([
    ["true", true],
    ["required", true],
    ["false", false],
    ["allowed", false],
    ["disabled", false],
    ["", false],
  ])("reads AUTHACTION_DPOP=%s as %s", (value, expected) => {
    expect(clientCredentialsSettingsFromEnv({ ...base, AUTHACTION_DPOP: value }).dpop).toBe(
      expected,
    );
  });

  it.each([
    ["AUTHACTION_DPOP", { AUTHACTION_DPOP: "yes please" }],
    ["AUTHACTION_CLIENT_AUTH_METHOD", { AUTHACTION_CLIENT_AUTH_METHOD: "tls_client_auth" }],
  ])("names %s when malformed", (variable, overrides) => {
    expect(configurationError({ ...base, ...overrides }).variable).toBe(variable);
  });

  it("configures a token source that gets a DPoP-bound token with its key from the local issuer", async () => {
    const publicJwk = { ...keyPair.publicKey.export({ format: "jwk" }), kid: "k1", alg: "ES256" };
    const issuer = await startLocalIssuer({
      clients: [{ clientId: "my-client", publicJwk, scopes: ["read:messages"] }],
    });
    try {
      const { credentials, dpop } = clientCredentialsSettingsFromEnv({
        ...keyEnv,
        AUTHACTION_DOMAIN: undefined,
        AUTHACTION_ISSUER: issuer.url,
        AUTHACTION_AUDIENCE: issuer.audience,
        AUTHACTION_DPOP: "true",
      });
      expect(dpop).toBe(true);
      const signer = await createDpopSigner();
      const token = await createClientCredentialsTokenSource({
        ...credentials,
        dpop: signer,
      }).getTokenInfo();
      expect(token.tokenType).toBe("DPoP");
      expect(decodeJwt(token.accessToken)).toMatchObject({
        sub: "my-client@clients",
        cnf: { jkt: await signer.thumbprint() },
      });
    } finally {
      await issuer.close();
    }
  });
});

describe("clientConfigFromEnv", () => {
  const tenant = { ...base, API_URL: "https://api.example.com" };

  function refusal(env: Record<string, string | undefined>): ConfigurationError {
    try {
      clientConfigFromEnv(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      return error as ConfigurationError;
    }
    throw new Error("expected a ConfigurationError");
  }

  it("has no default API_URL outside development mode; in development it is http://localhost:3000", () => {
    for (const mode of [undefined, "production", "staging"]) {
      const error = refusal({ ...tenant, NODE_ENV: mode, API_URL: undefined });
      expect(error.message).toMatch(/^API_URL: is required: /);
    }
    expect(
      clientConfigFromEnv({ ...tenant, NODE_ENV: "development", API_URL: undefined }).apiUrl,
    ).toBe("http://localhost:3000");
  });

  it.each([
    [
      "AUTHACTION_ISSUER",
      { AUTHACTION_DOMAIN: undefined, AUTHACTION_ISSUER: "http://auth.example.com" },
    ],
    ["AUTHACTION_TOKEN_URL", { AUTHACTION_TOKEN_URL: "http://auth.example.com/oauth2/m2m/token" }],
    ["API_URL", { API_URL: "http://api.example.com" }],
  ])(
    "refuses http:// in %s to a host that is not loopback outside development mode, naming it",
    (variable, overrides) => {
      const error = refusal({ ...tenant, ...overrides });
      expect(error.variable).toBe(variable);
      expect(error.message).toContain("AUTHACTION_ALLOW_INSECURE_HTTP=true");
      expect(
        clientConfigFromEnv({ ...tenant, ...overrides, AUTHACTION_ALLOW_INSECURE_HTTP: "true" }),
      ).toBeDefined();
      expect(
        clientConfigFromEnv({ ...tenant, ...overrides, NODE_ENV: "development" }),
      ).toBeDefined();
    },
  );

  it("accepts http:// to loopback outside development mode", () => {
    const config = clientConfigFromEnv({
      ...tenant,
      AUTHACTION_DOMAIN: undefined,
      AUTHACTION_ISSUER: "http://127.0.0.1:9000",
      API_URL: "http://[::1]:3000",
    });
    expect(config.apiUrl).toBe("http://[::1]:3000");
    expect(config.credentials.tokenUrl).toBe("http://127.0.0.1:9000/oauth2/m2m/token");
  });

  it("stands in no demo secret for a private_key_jwt client when the local issuer is used", () => {
    const keyPair = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const config = clientConfigFromEnv({
      NODE_ENV: "development",
      AUTHACTION_CLIENT_ID: "my-client",
      AUTHACTION_CLIENT_AUTH_METHOD: "private_key_jwt",
      AUTHACTION_CLIENT_PRIVATE_KEY: JSON.stringify(keyPair.privateKey.export({ format: "jwk" })),
      AUTHACTION_DPOP: "true",
    });
    expect(config.credentials).toMatchObject({
      clientAuthMethod: "private_key_jwt",
      assertionAudience: "http://localhost:9000",
    });
    expect(config.credentials.clientSecret).toBeUndefined();
    expect(config.dpop).toBe(true);
  });

  it("refuses a misspelt AUTHACTION_* name before anything else, in development mode too", () => {
    for (const mode of [undefined, "development"]) {
      const error = refusal({
        NODE_ENV: mode,
        AUTHACTION_DOMIAN: "tenant.eu.authaction.com",
        AUTHACTION_AUDIENCE: "https://api.example.com",
      });
      expect(error.message).toBe(
        "AUTHACTION_DOMIAN: is not a variable any app reads; did you mean AUTHACTION_DOMAIN?",
      );
    }
  });
});

describe("localKeyClientEnv (pnpm dev's client)", () => {
  it("with no tenant and no client, makes the demo key client get a DPoP-bound token from the local issuer's defaults", async () => {
    const issuer = await startLocalIssuer();
    try {
      const env = { NODE_ENV: "development", ISSUER_URL: issuer.url };
      const standIns = localKeyClientEnv(env);
      expect(standIns).toMatchObject({
        AUTHACTION_CLIENT_ID: "demo-key-client",
        AUTHACTION_CLIENT_AUTH_METHOD: "private_key_jwt",
        AUTHACTION_DPOP: "true",
      });
      const config = clientConfigFromEnv({ ...env, ...standIns });
      expect(config.dpop).toBe(true);
      expect(config.credentials.clientSecret).toBeUndefined();
      const signer = await createDpopSigner();
      const token = await createClientCredentialsTokenSource({
        ...config.credentials,
        dpop: signer,
      }).getTokenInfo();
      expect(token.tokenType).toBe("DPoP");
      expect(decodeJwt(token.accessToken)).toMatchObject({
        sub: "demo-key-client@clients",
        cnf: { jkt: await signer.thumbprint() },
      });
    } finally {
      await issuer.close();
    }
  });

  it("keeps an AUTHACTION_DPOP that is set", () => {
    const env = { NODE_ENV: "development", AUTHACTION_DPOP: "false" };
    expect(localKeyClientEnv(env)?.AUTHACTION_DPOP).toBeUndefined();
  });

  it.each([
    ["a tenant", { AUTHACTION_DOMAIN: "tenant.eu.authaction.com" }],
    ["a client id", { AUTHACTION_CLIENT_ID: "demo-client" }],
    ["a client secret", { AUTHACTION_CLIENT_SECRET: "demo-secret" }],
    ["an auth method", { AUTHACTION_CLIENT_AUTH_METHOD: "client_secret_basic" }],
    ["a key file", { AUTHACTION_CLIENT_PRIVATE_KEY_FILE: "/run/secrets/key.json" }],
  ])("adds nothing when %s is configured", (_, env) => {
    expect(localKeyClientEnv({ NODE_ENV: "development", ...env })).toBeUndefined();
  });

  it("outside development mode refuses the missing tenant as the fallback does", () => {
    expect(() => localKeyClientEnv({ NODE_ENV: "production" })).toThrow(ConfigurationError);
  });
});
