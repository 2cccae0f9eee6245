/**
 * Subject: Fastify 5 + @fastify/jwt + get-jwks as @fastify/jwt's README shows ("Verifying with
 * JWKS"), on /protected only, with issuer, audience, RS256 and get-jwks' `issuersWhitelist` added
 * (without it the unverified token's `iss` picks the URL the server fetches).
 */
import fastifyJwt, { type TokenOrHeader } from "@fastify/jwt";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import buildGetJwks from "get-jwks";
import { PROTECTED_MESSAGE, PUBLIC_MESSAGE } from "../routes.ts";
import { claimSub, completeTokenParts } from "./fastify-token.ts";
import { listenAndAnnounce, readSubjectEnv } from "./subject-setup.ts";

const env = readSubjectEnv();
const fastify = Fastify();
const getJwks = buildGetJwks({ issuersWhitelist: [env.issuer] });

await fastify.register(fastifyJwt, {
  decode: { complete: true },
  secret: (_request: FastifyRequest, token: TokenOrHeader) => {
    const { kid, alg, iss } = completeTokenParts(token);
    return getJwks.getPublicKey({ kid, domain: iss, alg });
  },
  verify: { allowedIss: env.issuer, allowedAud: env.audience, algorithms: ["RS256"] },
});

async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  try {
    await request.jwtVerify();
  } catch (err) {
    reply.send(err);
  }
}

fastify.get("/public", async () => ({ message: PUBLIC_MESSAGE }));
fastify.get("/protected", { onRequest: authenticate }, async (request) => ({
  message: PROTECTED_MESSAGE,
  sub: claimSub(request.user),
}));

await fastify.ready();
listenAndAnnounce(fastify.server, env);
