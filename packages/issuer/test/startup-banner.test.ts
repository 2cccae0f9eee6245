import { describe, expect, it } from "vitest";
import { DEFAULT_CLIENTS } from "../src/index.ts";
import { exposureWarning, startupBanner } from "../src/startup-banner.ts";

const issuer = {
  url: "http://127.0.0.1:9000",
  issuer: "http://localhost:9000",
  audience: "https://api.example.com",
  jwksUri: "http://127.0.0.1:9000/.well-known/jwks.json",
  tokenUrl: "http://127.0.0.1:9000/oauth2/m2m/token",
};
const CUSTOM = { clientId: "ci-bot", clientSecret: "custom-s3cr3t-value", scopes: ["read:public"] };

describe("startupBanner", () => {
  it("says a wildcard bind listens on all interfaces, with the URL that reaches it", () => {
    const banner = startupBanner(issuer, {
      host: "0.0.0.0",
      clients: DEFAULT_CLIENTS,
      admin: false,
    });
    expect(banner).toContain("  listening   all IPv4 interfaces (0.0.0.0), port 9000\n");
    expect(banner).toContain("  url         http://127.0.0.1:9000\n");
    const v6 = startupBanner(
      { ...issuer, url: "http://[::1]:9000" },
      { host: "::", clients: DEFAULT_CLIENTS, admin: false },
    );
    expect(v6).toContain("  listening   all interfaces (::), port 9000\n");
  });

  it("names a loopback bind as it is", () => {
    const banner = startupBanner(issuer, {
      host: "127.0.0.1",
      clients: DEFAULT_CLIENTS,
      admin: true,
    });
    expect(banner).toContain("  listening   127.0.0.1, port 9000\n");
    expect(banner).toContain("/__admin/* (unauthenticated, loopback callers only)");
  });

  it("lists clients and scopes but never a secret, demo or custom", () => {
    const banner = startupBanner(issuer, {
      host: "0.0.0.0",
      clients: [...DEFAULT_CLIENTS, CUSTOM],
      admin: true,
    });
    for (const client of [...DEFAULT_CLIENTS, CUSTOM]) {
      expect(banner).toContain(`    ${client.clientId} (`);
      expect(banner).not.toContain(client.clientSecret);
    }
    expect(banner).toContain(
      "    demo-client (demo secret, see README)  scopes: read:public read:secret",
    );
    expect(banner).toContain("    ci-bot (secret from ISSUER_CLIENTS)  scopes: read:public");
  });
});

describe("startupBanner: private_key_jwt clients and DPoP", () => {
  const keyClient = {
    clientId: "signer",
    publicJwk: { kty: "EC", crv: "P-256", x: "x", y: "y", kid: "signer-key-1" },
    scopes: ["read:messages"],
  };

  it("lists a client registered with a key by its kid", () => {
    const banner = startupBanner(issuer, { host: "127.0.0.1", clients: [keyClient], admin: false });
    expect(banner).toContain(
      "    signer (private_key_jwt, key signer-key-1)  scopes: read:messages\n",
    );
  });

  it("says whether DPoP proofs need server nonces", () => {
    const options = { host: "127.0.0.1", clients: DEFAULT_CLIENTS, admin: false };
    expect(startupBanner(issuer, options)).toContain(
      "  dpop        proofs bind tokens (cnf.jkt); server nonces off\n",
    );
    expect(startupBanner(issuer, { ...options, dpopNonce: true })).toContain(
      "server nonces required",
    );
  });
});

describe("exposureWarning", () => {
  it.each(["0.0.0.0", "::", "192.168.1.20", "issuer.internal"])(
    "warns when listening on %s",
    (host) => {
      const warning = exposureWarning({ host, admin: true });
      expect(warning).toMatch(/^WARNING: the local issuer listens on .*not on loopback only/);
      expect(warning).toContain("NOT FOR");
      expect(warning).toContain("admin routes still answer loopback callers only");
      expect(warning).toContain("ISSUER_ALLOW_UNSAFE=true let it start");
    },
  );

  it("warns when running under NODE_ENV=production, on loopback too", () => {
    const warning = exposureWarning({ host: "127.0.0.1", admin: false, production: true });
    expect(warning).toMatch(/^WARNING: the local issuer runs under NODE_ENV=production/);
    expect(warning).not.toContain("listens on");
    expect(warning).toContain("ISSUER_ALLOW_UNSAFE=true let it start");
  });

  it.each(["127.0.0.1", "127.0.0.2", "::1", "localhost"])("is silent on %s", (host) => {
    expect(exposureWarning({ host, admin: true })).toBeUndefined();
  });
});
