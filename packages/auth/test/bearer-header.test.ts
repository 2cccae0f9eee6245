import { describe, expect, it } from "vitest";
import { parseAuthorizationHeader, parseBearerHeader } from "../src/server.ts";

// RFC 6750 §2.1 and RFC 9449 §7.1: one credential of an accepted scheme, the scheme in any case
// (RFC 9110 §11.1), refused with a stable code and a description naming what was wrong.

describe("parseAuthorizationHeader", () => {
  it.each(["DPoP abc.def.ghi", "dpop abc.def.ghi", "DPOP abc.def.ghi", "dPoP  abc.def.ghi"])(
    "reads %j as the DPoP scheme when DPoP is accepted",
    (header) => {
      expect(parseAuthorizationHeader(header, true)).toEqual({
        scheme: "dpop",
        token: "abc.def.ghi",
      });
    },
  );

  it.each([true, false])(
    "reads the Bearer scheme in any case (DPoP accepted: %s)",
    (acceptDpop) => {
      for (const header of ["Bearer abc", "bearer abc", "BEARER abc"]) {
        expect(parseAuthorizationHeader(header, acceptDpop)).toEqual({
          scheme: "bearer",
          token: "abc",
        });
      }
    },
  );

  it("refuses the DPoP scheme when DPoP is disabled, naming the one scheme accepted", () => {
    expect(() => parseAuthorizationHeader("DPoP abc", false)).toThrow(
      expect.objectContaining({
        code: "invalid_request",
        message: "Authorization scheme must be Bearer",
      }),
    );
    expect(() => parseBearerHeader("DPoP abc")).toThrow("Authorization scheme must be Bearer");
  });

  it.each([
    [undefined, "missing_token", "Authorization header required", undefined],
    ["", "missing_token", "Authorization header required", undefined],
    [["DPoP a", "DPoP b"], "invalid_request", "Send exactly one Authorization header", undefined],
    ["Basic abc", "invalid_request", "Authorization scheme must be Bearer or DPoP", undefined],
    ["DPoPabc", "invalid_request", "Authorization scheme must be Bearer or DPoP", undefined],
    ["DPoP", "invalid_request", "DPoP token is empty", "dpop"],
    ["DPoP a b", "invalid_request", "Send exactly one DPoP token with no other characters", "dpop"],
    ["DPoP a,b", "invalid_request", "Send exactly one DPoP token with no other characters", "dpop"],
    ["Bearer", "invalid_request", "Bearer token is empty", "bearer"],
  ] as const)("refuses %j: %s, %s", (header, code, message, scheme) => {
    let caught: unknown;
    try {
      parseAuthorizationHeader(header, true);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code, message, scheme });
  });
});
