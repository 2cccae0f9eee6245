import { describe, expect, it } from "vitest";
import { AuthError, bearerRefusal } from "../src/server.ts";

const META = "https://api.example.com/.well-known/oauth-protected-resource";

describe("bearerRefusal with resourceMetadata (RFC 9728 §5.1)", () => {
  it.each([
    [new AuthError("missing_token", "Authorization header required"), 401, 'Bearer realm="api"'],
    [
      new AuthError("expired", "Token has expired"),
      401,
      'Bearer realm="api", error="invalid_token", error_description="Token has expired"',
    ],
    [
      new AuthError("invalid_request", "Authorization scheme must be Bearer"),
      400,
      'Bearer realm="api", error="invalid_request", error_description="Authorization scheme must be Bearer"',
    ],
    [
      new AuthError("insufficient_scope", "Token lacks scope a", { requiredScopes: ["a"] }),
      403,
      'Bearer realm="api", error="insufficient_scope", error_description="Token lacks scope a", scope="a"',
    ],
    [
      new AuthError("key_set_unavailable", "Signing keys are unavailable"),
      503,
      'Bearer realm="api"',
    ],
  ])("%s: the challenge ends with resource_metadata", (error, status, challenge) => {
    expect(bearerRefusal(error, "api").challenge).toBe(challenge);
    const refusal = bearerRefusal(error, "api", { resourceMetadata: META });
    expect(refusal.status).toBe(status);
    expect(refusal.challenge).toBe(`${challenge}, resource_metadata="${META}"`);
  });

  it("strips characters a quoted-string cannot hold", () => {
    const refusal = bearerRefusal(new AuthError("missing_token", "x"), "api", {
      resourceMetadata: 'https://a.example/"x\\',
    });
    expect(refusal.challenge).toBe('Bearer realm="api", resource_metadata="https://a.example/x"');
  });
});
