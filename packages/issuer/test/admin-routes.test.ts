import { afterAll, beforeAll, expect, it } from "vitest";
import type { LocalIssuer } from "../src/index.ts";
import { startIssuerServer } from "../src/local-issuer.ts";
import { DEMO_PARAMS, postJson } from "./token-requests.ts";

let issuer: LocalIssuer;

beforeAll(async () => {
  issuer = await startIssuerServer({}, { admin: true });
});
afterAll(() => issuer.close());

const admin = (path: string) => `${issuer.url}/__admin/${path}`;

it("rotates the signing key", async () => {
  const before = issuer.keys().signing;
  const res = await fetch(admin("rotate-key"), { method: "POST" });
  const { kid } = (await res.json()) as { kid: string };
  expect(res.status).toBe(200);
  expect(issuer.keys()).toEqual({ published: [before, kid], signing: kid });
});

it("switches the JWKS mode and rejects unknown modes", async () => {
  expect((await postJson(admin("jwks-mode"), { mode: "error" })).status).toBe(200);
  expect((await fetch(issuer.jwksUri)).status).toBe(500);
  const bad = await postJson(admin("jwks-mode"), { mode: "sideways" });
  expect(bad.status).toBe(400);
  expect(await bad.json()).toMatchObject({ error: "invalid_request" });
  await postJson(admin("jwks-mode"), { mode: "ok" });
  expect((await fetch(issuer.jwksUri)).status).toBe(200);
});

it("injects token failures, sets the lifetime and reports counts", async () => {
  await postJson(admin("fail-token-requests"), { status: 503, count: 1, retryAfterSeconds: 1 });
  expect((await postJson(issuer.tokenUrl, DEMO_PARAMS)).status).toBe(503);
  await postJson(admin("token-lifetime"), { seconds: 30 });
  const token = await postJson(issuer.tokenUrl, DEMO_PARAMS);
  expect(((await token.json()) as { expires_in: number }).expires_in).toBe(30);
  const counts = await fetch(admin("counts"));
  expect(await counts.json()).toMatchObject({ token: 2 });
});

it("answers 400 for a body that is not JSON", async () => {
  const res = await postJson(admin("fail-token-requests"), "nope");
  expect(res.status).toBe(400);
});
