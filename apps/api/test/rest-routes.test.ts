import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closedPortUrl } from "./support/closed-port-url.ts";
import { withMetadata } from "./support/resource-metadata.ts";
import { get, type Stack, startStack } from "./support/start-stack.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

describe("REST routes answer exactly as the Django example did", () => {
  it("GET /public answers the public message to anyone", async () => {
    const res = await get(stack, "/public");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: "This is a public message!" });
    expect(res.headers.get("content-type")).toBe("application/json");
  });

  it("GET /protected answers the protected message and the token's sub with a valid token", async () => {
    const res = await get(stack, "/protected", `Bearer ${await stack.token()}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: "This is a protected message!",
      sub: "demo-client@clients",
    });
  });

  it("GET /protected without credentials is 401 with a bare Bearer challenge", async () => {
    const res = await get(stack, "/protected");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(
      withMetadata('Bearer realm="api"', stack.api.url),
    );
    expect(res.body).toEqual({ error: "missing_token", message: "Authorization header required" });
  });

  it("GET /protected with an expired token is 401 invalid_token with a safe description", async () => {
    const jwt = await stack.issuer.signToken({
      issuedAt: Math.floor(Date.now() / 1000) - 7200,
      expiresInSeconds: 60,
    });
    const res = await get(stack, "/protected", `Bearer ${jwt}`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(
      withMetadata(
        'Bearer realm="api", error="invalid_token", error_description="Token has expired"',
        stack.api.url,
      ),
    );
    expect(res.body).toEqual({ error: "expired", message: "Token has expired" });
    expect(JSON.stringify(res.body)).not.toContain(jwt);
  });

  it("GET /protected with a Basic scheme is 400 invalid_request", async () => {
    const res = await get(stack, "/protected", "Basic ZGVtbzpkZW1v");
    expect(res.status).toBe(400);
    expect(res.headers.get("www-authenticate")).toMatch(
      /^Bearer realm="api", error="invalid_request"/,
    );
  });

  it("ignores a token in the query string (RFC 6750 §2.3 is not supported)", async () => {
    const res = await get(stack, `/protected?access_token=${await stack.token()}`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(
      withMetadata('Bearer realm="api"', stack.api.url),
    );
  });
});

describe("health, readiness and unknown routes", () => {
  it("GET /healthz is 200 ok", async () => {
    const res = await get(stack, "/healthz");
    expect(res).toMatchObject({ status: 200, body: { status: "ok" } });
  });

  it("GET /readyz is 200 once the key set is loaded", async () => {
    await get(stack, "/protected", `Bearer ${await stack.token()}`);
    const res = await get(stack, "/readyz");
    expect(res).toMatchObject({ status: 200, body: { status: "ready" } });
  });

  it("answers 404 JSON for an unknown path", async () => {
    const res = await get(stack, "/nope");
    expect(res).toMatchObject({ status: 404, body: { error: "not_found" } });
  });

  it("answers 405 with Allow for a wrong method on a REST route", async () => {
    const response = await fetch(`${stack.api.url}/public`, { method: "POST", body: "{}" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("readiness before the key set is loaded", () => {
  it("GET /readyz is 503 with a reason class (no error text) until a key set is loaded", async () => {
    // Nothing listens on that port any more: the fetch started at start fails at once, and the
    // next attempt is an hour away.
    const fresh = await startStack({
      verifier: {
        jwksUri: `${await closedPortUrl()}/.well-known/jwks.json`,
        keySet: { cooldownMs: 3_600_000 },
      },
    });
    try {
      await vi.waitFor(() =>
        expect(fresh.api.verifier.keySet.status().consecutiveFailures).toBe(1),
      );
      const res = await get(fresh, "/readyz");
      expect(res).toMatchObject({
        status: 503,
        body: { status: "not_ready", reason: "keys_unavailable" },
      });
      expect(JSON.stringify(res.body)).not.toContain("ECONNREFUSED");
    } finally {
      await fresh.close();
    }
  });
});
