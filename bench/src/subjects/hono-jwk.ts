/**
 * Subject: Hono 4 with its built-in `hono/jwk` middleware on @hono/node-server, as Hono's docs show:
 * `jwk({ jwks_uri, alg })` on the protected route, the payload read with `c.get("jwtPayload")`. With
 * `jwks_uri` the middleware fetches the JWKS on every request (it has no key cache) and verifies
 * with WebCrypto. Issuer and audience are checked through its `verification` option.
 */
import { Server } from "node:http";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import { jwk } from "hono/jwk";
import type { JwtVariables } from "hono/jwt";
import { PROTECTED_MESSAGE, PUBLIC_MESSAGE } from "../expected-bodies.ts";
import { listenAndAnnounce, readSubjectEnv } from "./subject-runtime.ts";

const env = readSubjectEnv();
const app = new Hono<{ Variables: JwtVariables<unknown> }>();

app.get("/public", (c) => c.json({ message: PUBLIC_MESSAGE }));
app.get(
  "/protected",
  jwk({
    jwks_uri: env.jwksUri,
    alg: ["RS256"],
    verification: { iss: env.issuer, aud: env.audience },
  }),
  (c) => {
    const payload: unknown = c.get("jwtPayload");
    const sub =
      typeof payload === "object" && payload !== null && "sub" in payload ? payload.sub : undefined;
    return c.json({ message: PROTECTED_MESSAGE, sub });
  },
);

const server = createAdaptorServer({ fetch: app.fetch });
if (!(server instanceof Server))
  throw new Error("@hono/node-server did not create an HTTP/1 server");
listenAndAnnounce(server);
