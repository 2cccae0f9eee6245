import { AuthError } from "@repo/auth/client";
import { ConfigurationError } from "@repo/env";
import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { formatFailure, isScopeRefusal } from "../src/format-failure.ts";

const context = { trpcUrl: "http://127.0.0.1:3000/trpc" };

function serverError(httpStatus: number, code: string, message: string, reason?: string) {
  return new TRPCClientError(message, {
    result: {
      error: { code: -32_000, message, data: { code, httpStatus, ...(reason ? { reason } : {}) } },
    },
  });
}

describe("formatFailure", () => {
  it("names the variable of a configuration error", () => {
    expect(formatFailure(new ConfigurationError("AUTHACTION_AUDIENCE", "is required"))).toBe(
      "configuration error: AUTHACTION_AUDIENCE: is required",
    );
  });

  it("passes an AuthError's message through, also as the cause of a tRPC error", () => {
    const error = new AuthError("token_request_refused", "token endpoint refused the request: x");
    expect(formatFailure(error, context)).toBe("token endpoint refused the request: x");
    expect(formatFailure(TRPCClientError.from(error), context)).toBe(
      "token endpoint refused the request: x",
    );
  });

  it("names the api URL and the socket error when the api cannot be reached", () => {
    const refused = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    });
    expect(formatFailure(TRPCClientError.from(refused), context)).toBe(
      "API http://127.0.0.1:3000/trpc unreachable: ECONNREFUSED",
    );
    const badPort = new TypeError("fetch failed", { cause: new Error("bad port") });
    expect(formatFailure(TRPCClientError.from(badPort), context)).toBe(
      "API http://127.0.0.1:3000/trpc unreachable: bad port",
    );
  });

  it("gives the status, RFC 6750 code and the api's reason for a refused token", () => {
    const error = serverError(401, "UNAUTHORIZED", "Token has expired", "expired");
    expect(formatFailure(error, context)).toBe(
      "API refused the token: 401 invalid_token (expired: Token has expired)",
    );
  });

  it("reads the challenge's error code from its first 1024 characters only", () => {
    const refusal = (challenge: string) =>
      new TRPCClientError("Token refused", {
        result: {
          error: {
            code: -32_001,
            message: "Token refused",
            data: { code: "UNAUTHORIZED", httpStatus: 401 },
          },
        },
        meta: {
          response: new Response(null, {
            status: 401,
            headers: { "www-authenticate": challenge },
          }),
        },
      });
    expect(formatFailure(refusal('Bearer realm="api", error="custom_code"'), context)).toBe(
      "API refused the token: 401 custom_code (Token refused)",
    );
    // Past the bound, the code falls back to the one RFC 6750 ties to the status.
    const late = `Bearer realm="api", ${"a.".repeat(8_000)} error="custom_code"`;
    expect(formatFailure(refusal(late), context)).toBe(
      "API refused the token: 401 invalid_token (Token refused)",
    );
  });

  it("makes text from the api printable", () => {
    const error = serverError(500, "INTERNAL_SERVER_ERROR", "boom\n\u001b[31mred");
    expect(formatFailure(error, context)).toBe(
      "API http://127.0.0.1:3000/trpc answered 500 INTERNAL_SERVER_ERROR (boom red)",
    );
  });

  it("treats only a 403 as a scope refusal", () => {
    expect(
      isScopeRefusal(serverError(403, "FORBIDDEN", "Token lacks scope a", "insufficient_scope")),
    ).toBe(true);
    expect(isScopeRefusal(serverError(401, "UNAUTHORIZED", "no"))).toBe(false);
    expect(isScopeRefusal(new Error("x"))).toBe(false);
  });

  it("keeps unexpected errors to one line without a stack", () => {
    expect(formatFailure(new Error("first\nsecond"), context)).toBe(
      "unexpected error: first second",
    );
  });
});
