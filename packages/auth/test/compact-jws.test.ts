import { describe, expect, it } from "vitest";
import { isCanonicalCompactJws, readableKid } from "../src/compact-jws.ts";

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const header = b64({ alg: "RS256", kid: "k1" });
const payload = b64({ sub: "a" });
// 4 bytes: 6 characters, the last of which carries 4 unused bits that must be zero.
const signature = Buffer.from([1, 2, 3, 4]).toString("base64url");

describe("canonical compact JWS", () => {
  it("accepts canonical base64url segments", () => {
    expect(isCanonicalCompactJws(`${header}.${payload}.${signature}`)).toBe(true);
  });

  it.each([
    ["padding", `${header}.${payload}.${signature}==`],
    ["standard base64 characters", `${header}.${payload}.ab+/`],
    ["a segment of impossible length", `${header}.${payload}.abcde`],
    [
      "non-zero unused bits in the last character",
      `${header}.${payload}.${signature.slice(0, -1)}B`,
    ],
  ])("refuses %s", (_name, jwt) => {
    expect(isCanonicalCompactJws(jwt)).toBe(false);
  });

  it("reads the kid for logs when the header decodes, and gives up quietly otherwise", () => {
    expect(readableKid(`${header}.${payload}.${signature}`)).toBe("k1");
    expect(readableKid("not-a-jwt")).toBeUndefined();
    expect(readableKid(`${b64({ alg: "RS256", kid: 7 })}.x.y`)).toBeUndefined();
  });
});
