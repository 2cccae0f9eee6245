/**
 * Subject: Hono 4's `hono/jwk` middleware on @hono/node-server as Hono's docs show; with `jwks_uri`
 * it fetches the JWKS on every request (it keeps no keys).
 */
import { Server } from "node:http";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import { jwk } from "hono/jwk";
import type { JwtVariables } from "hono/jwt";
import { PROTECTED_MESSAGE, PUBLIC_MESSAGE } from "../routes.ts";
import { listenAndAnnounce, readSubjectEnv } from "./subject-setup.ts";

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
listenAndAnnounce(server, env);
