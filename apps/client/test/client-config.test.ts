import { createClientCredentialsTokenSource } from "@repo/auth/client";
import { ConfigurationError } from "@repo/env";
import { startLocalIssuer } from "@repo/issuer";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { clientConfigFromEnv, clientCredentialsOptionsFromEnv } from "../src/client-config.ts";

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
      clientConfigFromEnv({ ...base, ...overrides });
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
