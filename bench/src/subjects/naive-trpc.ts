/**
 * Subject: the tRPC setup a tutorial leads to: the standalone adapter and a middleware calling
 * jose's jwtVerify per request against a remote JWKS built once (jose #596), no token cache.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { PROTECTED_MESSAGE, PUBLIC_MESSAGE } from "../routes.ts";
import { listenAndAnnounce, readSubjectEnv } from "./subject-setup.ts";

const env = readSubjectEnv();
const JWKS = createRemoteJWKSet(new URL(env.jwksUri));

const t = initTRPC.context<{ authorization: string | undefined }>().create();
const protectedProcedure = t.procedure.use(async ({ ctx, next }) => {
  const header = ctx.authorization;
  if (header === undefined || !header.startsWith("Bearer ")) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Missing bearer token" });
  }
  try {
    const { payload } = await jwtVerify(header.slice("Bearer ".length), JWKS, {
      issuer: env.issuer,
      audience: env.audience,
    });
    return next({ ctx: { sub: payload.sub } });
  } catch {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Invalid token" });
  }
});

const router = t.router({
  public: t.procedure.query(() => ({ message: PUBLIC_MESSAGE })),
  protected: protectedProcedure.query(({ ctx }) => ({ message: PROTECTED_MESSAGE, sub: ctx.sub })),
});

const server = createHTTPServer({
  router,
  basePath: "/trpc/",
  createContext: ({ req }) => ({ authorization: req.headers.authorization }),
});
listenAndAnnounce(server, env);
