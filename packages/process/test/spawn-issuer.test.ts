import { describe, expect, it } from "vitest";
import { issuerAddress, spawnIssuer } from "../src/index.ts";

describe("spawnIssuer", () => {
  it("starts the local issuer's real entry point on an ephemeral port and reads its banner", async () => {
    const issuer = await spawnIssuer({});
    try {
      expect(issuer.ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(issuer.ready).toEqual({
        url: issuer.ready.url,
        issuer: issuer.ready.url,
        audience: "https://api.example.com",
        jwksUri: `${issuer.ready.url}/.well-known/jwks.json`,
        tokenUrl: `${issuer.ready.url}/oauth2/m2m/token`,
      });
      const response = await fetch(issuer.ready.jwksUri);
      expect(response.status).toBe(200);
    } finally {
      expect(await issuer.stop()).toBe(0);
    }
  });

  it("reads the banner only once its last line is whole", () => {
    const banner = [
      "  url         http://127.0.0.1:1",
      "  issuer      http://127.0.0.1:1",
      "  audience    https://api.example.com",
      "  jwks uri    http://127.0.0.1:1/.well-known/jwks.json",
      "  token url   http://127.0.0.1:1/oauth2/m2m/token",
      "",
    ].join("\n");
    expect(issuerAddress(banner.slice(0, -1))).toBeUndefined();
    expect(issuerAddress(banner)?.tokenUrl).toBe("http://127.0.0.1:1/oauth2/m2m/token");
  });
});
