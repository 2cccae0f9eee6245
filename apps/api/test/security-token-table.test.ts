import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCase, ENDPOINTS, expectNoSecretsLogged } from "./support/check-case.ts";
import { send } from "./support/http-exchange.ts";
import { CASES } from "./support/security-cases.ts";
import {
  createFixture,
  type Fixture,
  type StackKind,
  stackEnv,
} from "./support/security-fixture.ts";
import { type ApiUnderTest, startApiFromEnv } from "./support/start-stack.ts";

// Issue #3: every row of the security table, against /trpc/protected and REST /protected of apis
// configured from environment variables only, with the verified-token cache on (the default).
let f: Fixture;
const apis = new Map<StackKind, ApiUnderTest>();
const secrets = new Set<string>();
const startedAt = Date.now();

beforeAll(async () => {
  f = await createFixture();
  for (const kind of ["default", "tenant", "at+jwt"] as const) {
    apis.set(kind, await startApiFromEnv(stackEnv(kind, f)));
  }
});
afterAll(async () => {
  await Promise.all([...apis.values()].map((api) => api.close()));
  await f.close();
});

const api = (kind: StackKind) => apis.get(kind) as ApiUnderTest;

describe("security table", () => {
  it("has at least 40 rows covering every stack", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((row) => row.name)).size).toBe(CASES.length);
    expect(new Set(CASES.map((row) => row.stack))).toEqual(
      new Set(["default", "tenant", "at+jwt"]),
    );
  });

  describe.each(CASES.map((row) => [row.name, row] as const))("%s", (_name, row) => {
    it.each(ENDPOINTS)(
      `answers ${row.expected.status} ${row.expected.reason ?? ""} on %s`,
      async (endpoint) => {
        const sent = await row.build(f);
        for (const secret of sent.secrets) secrets.add(secret);
        await checkCase(api(row.stack), row, sent, endpoint);
      },
    );
  });
});

describe("after the table", () => {
  it("never fetched a URL a token named (jku, x5u): the trap server saw no request", () => {
    expect(f.trap.paths()).toEqual([]);
  });

  it("fetched the tenant's JWKS only a few times despite every unknown kid (cooldown)", () => {
    // One cold fetch plus at most one per 5 s cooldown while the table ran.
    const elapsedSeconds = (Date.now() - startedAt) / 1000;
    expect(f.tenant.hits()).toBeGreaterThanOrEqual(1);
    expect(f.tenant.hits()).toBeLessThanOrEqual(2 + Math.ceil(elapsedSeconds / 5));
  });

  it("logged why each unusable tenant key was ignored", () => {
    const refreshed = api("tenant").logs.find((line) => line.event === "key_set_refreshed");
    const ignored = (refreshed?.ignored ?? []) as Array<{ kid: string; reason: string }>;
    expect(Object.fromEntries(ignored.map((key) => [key.kid, key.reason]))).toEqual({
      "tenant-enc": "use is enc, not sig",
      "tenant-sign-only": "key_ops does not include verify",
      "tenant-rsa-1024": "RSA modulus of 1024 bits is under 2048",
      "tenant-leaked": "private key material published",
      "tenant-oct": "key type oct not allowed",
    });
  });

  it("never logged a token or a signature", () => {
    expect(secrets.size).toBeGreaterThan(CASES.length);
    for (const kind of apis.keys()) expectNoSecretsLogged(api(kind), secrets);
  });

  it("still answers a valid token from the issuer's token endpoint with 200", async () => {
    const response = await fetch(f.issuer.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_id: "demo-client",
        client_secret: "demo-secret",
        audience: f.issuer.audience,
        grant_type: "client_credentials",
      }),
    });
    const { access_token: token } = (await response.json()) as { access_token: string };
    for (const endpoint of ENDPOINTS) {
      const res = await send(api("default").url, endpoint, { authorization: `Bearer ${token}` });
      expect(res.status, endpoint).toBe(200);
    }
  });
});
