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

describe("bearerRefusal with DPoP (RFC 9449 §7.1)", () => {
  const dpop = (mode: "allowed" | "required" | "disabled") => ({
    dpop: { mode, algorithms: ["ES256", "EdDSA"] },
  });
  const PROOF = new AuthError("invalid_dpop_proof", "DPoP proof htm must be GET", {
    scheme: "dpop",
  });
  const PROOF_ERROR =
    'DPoP algs="ES256 EdDSA", error="invalid_dpop_proof", error_description="DPoP proof htm must be GET"';

  it.each([
    // allowed: the error goes in the challenge of the scheme the request used.
    ["allowed", PROOF, 401, `Bearer realm="api", ${PROOF_ERROR}`],
    [
      "allowed",
      new AuthError("expired", "Token has expired", { scheme: "dpop" }),
      401,
      'Bearer realm="api", DPoP algs="ES256 EdDSA", error="invalid_token", error_description="Token has expired"',
    ],
    [
      "allowed",
      new AuthError(
        "wrong_binding",
        "A DPoP-bound token must be sent with the DPoP scheme and a proof",
        {
          scheme: "bearer",
        },
      ),
      401,
      'Bearer realm="api", error="invalid_token", error_description="A DPoP-bound token must be sent with the DPoP scheme and a proof"',
    ],
    [
      "allowed",
      new AuthError("missing_token", "Authorization header required"),
      401,
      'Bearer realm="api"',
    ],
    [
      "allowed",
      new AuthError("use_dpop_nonce", "A DPoP nonce is required", {
        scheme: "dpop",
        dpopNonce: "n",
      }),
      401,
      'Bearer realm="api", DPoP algs="ES256 EdDSA", error="use_dpop_nonce", error_description="A DPoP nonce is required"',
    ],
    [
      "allowed",
      new AuthError("insufficient_scope", "Token lacks scope a", {
        requiredScopes: ["a"],
        scheme: "dpop",
      }),
      403,
      'Bearer realm="api", DPoP algs="ES256 EdDSA", error="insufficient_scope", error_description="Token lacks scope a", scope="a"',
    ],
    // required: the DPoP challenge alone, whatever the scheme.
    ["required", PROOF, 401, PROOF_ERROR],
    [
      "required",
      new AuthError("dpop_required", "This api accepts DPoP-bound tokens only", {
        scheme: "bearer",
      }),
      401,
      'DPoP algs="ES256 EdDSA"',
    ],
    [
      "required",
      new AuthError("missing_token", "Authorization header required"),
      401,
      'DPoP algs="ES256 EdDSA"',
    ],
    [
      "required",
      new AuthError("expired", "Token has expired"),
      401,
      'DPoP algs="ES256 EdDSA", error="invalid_token", error_description="Token has expired"',
    ],
    [
      "required",
      new AuthError("replay_cache_full", "Too many recent DPoP proofs: retry later", {
        retryAfterSeconds: 3,
      }),
      503,
      'DPoP algs="ES256 EdDSA"',
    ],
    // disabled: Bearer only.
    [
      "disabled",
      new AuthError("invalid_request", "Authorization scheme must be Bearer"),
      400,
      'Bearer realm="api", error="invalid_request", error_description="Authorization scheme must be Bearer"',
    ],
  ] as const)("%s mode, %s: %i with the exact challenge", (mode, error, status, challenge) => {
    const refusal = bearerRefusal(error, "api", dpop(mode));
    expect(refusal.status).toBe(status);
    expect(refusal.challenge).toBe(challenge);
  });

  it("every challenge of an allowed-mode DPoP refusal ends with resource_metadata", () => {
    const refusal = bearerRefusal(PROOF, "api", { ...dpop("allowed"), resourceMetadata: META });
    const param = `resource_metadata="${META}"`;
    expect(refusal.challenge).toBe(`Bearer realm="api", ${param}, ${PROOF_ERROR}, ${param}`);
  });
});
