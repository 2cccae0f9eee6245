/**
 * Subject: Express 5 with express-oauth2-jwt-bearer, configured as its README shows (issuer,
 * audience, jwksUri, RS256) with DPoP enabled beside Bearer (`dpop: { enabled: true }`, its
 * default: both schemes accepted), Express defaults otherwise.
 */
import { createServer } from "node:http";
import express, { type NextFunction, type Request, type Response } from "express";
import { auth, UnauthorizedError } from "express-oauth2-jwt-bearer";
import { PROTECTED_MESSAGE, PUBLIC_MESSAGE } from "../routes.ts";
import { listenAndAnnounce, readSubjectEnv } from "./subject-setup.ts";

const env = readSubjectEnv();
const app = express();

app.get("/public", (_req, res) => {
  res.json({ message: PUBLIC_MESSAGE });
});
app.get(
  "/protected",
  auth({
    issuer: env.issuer,
    audience: env.audience,
    jwksUri: env.jwksUri,
    tokenSigningAlg: "RS256",
    dpop: { enabled: true },
  }),
  (req, res) => {
    res.json({ message: PROTECTED_MESSAGE, sub: req.auth?.payload.sub });
  },
);
// Without this, Express's final handler answers refusals with HTML and logs each stack.
app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
  if (!(error instanceof UnauthorizedError)) return next(error);
  res
    .status(error.status)
    .set(error.headers)
    .json({ error: "code" in error ? error.code : "unauthorized" });
});

listenAndAnnounce(createServer(app), env);
