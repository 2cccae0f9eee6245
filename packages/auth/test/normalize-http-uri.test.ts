import { describe, expect, it } from "vitest";
import { normalizeHttpUri } from "../src/dpop/normalize-http-uri.ts";

describe("normalizeHttpUri (RFC 3986 §6.2.2-6.2.3, as RFC 9449 §4.3 compares htu)", () => {
  it.each([
    ["HTTPS://Server.Example.COM/token", "https://server.example.com/token"],
    ["https://server.example.com:443/token", "https://server.example.com/token"],
    ["http://server.example.com:80/token", "http://server.example.com/token"],
    ["https://server.example.com", "https://server.example.com/"],
    ["https://server.example.com/a/../token", "https://server.example.com/token"],
    ["https://server.example.com/%7Euser/%74oken", "https://server.example.com/~user/token"],
    ["https://server.example.com/a%2fb", "https://server.example.com/a%2Fb"],
    ["https://server.example.com/token?q=1#frag", "https://server.example.com/token"],
    ["https://[::1]:8443/token", "https://[::1]:8443/token"],
  ])("normalises %s to %s", (input, expected) => {
    expect(normalizeHttpUri(input)).toBe(expected);
  });

  it("keeps a non-default port and a different path apart", () => {
    expect(normalizeHttpUri("https://server.example.com:8443/token")).not.toBe(
      normalizeHttpUri("https://server.example.com/token"),
    );
    expect(normalizeHttpUri("https://server.example.com/token/")).not.toBe(
      normalizeHttpUri("https://server.example.com/token"),
    );
  });

  it.each(["not a url", "ftp://server.example.com/token", "https://user:pw@server.example.com/"])(
    "refuses %s",
    (input) => {
      expect(normalizeHttpUri(input)).toBeUndefined();
    },
  );
});
