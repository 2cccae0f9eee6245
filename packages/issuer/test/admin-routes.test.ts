import { IncomingMessage, request, ServerResponse } from "node:http";
import { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminRoutes } from "../src/admin-routes.ts";
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

describe("admin routes answer loopback callers only", () => {
  it("refuses with 403 a request whose socket address is not loopback", async () => {
    // The check reads the socket's peer address; a real socket with another peer cannot be
    // made over loopback, so the request object is built with the address it would carry.
    const route = adminRoutes(issuer).get("/__admin/rotate-key");
    const socket = new Socket();
    Object.defineProperty(socket, "remoteAddress", { value: "192.0.2.10" });
    const req = new IncomingMessage(socket);
    req.method = "POST";
    req.headers["x-forwarded-for"] = "127.0.0.1";
    const res = new ServerResponse(req);
    let body = "";
    res.end = ((chunk: string) => {
      body = chunk;
      return res;
    }) as typeof res.end;
    const kidsBefore = issuer.keys();
    await route?.handle(req, res);
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(body)).toEqual({
      error: "access_denied",
      error_description: "admin routes answer loopback callers only",
    });
    expect(issuer.keys()).toEqual(kidsBefore);
    socket.destroy();
  });

  it("answers a caller from 127.0.0.2: all of 127.0.0.0/8 is loopback", async () => {
    const { port } = new URL(issuer.url);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, path: "/__admin/counts", localAddress: "127.0.0.2" },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(200);
  });
});
