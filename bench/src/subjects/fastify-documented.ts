/**
 * Subject: Fastify 5 + @fastify/jwt + get-jwks, set up as @fastify/jwt's README shows under
 * "Verifying with JWKS": `decode: { complete: true }` and a `secret` function calling
 * `getJwks.getPublicKey({ kid, domain: iss, alg })`, then `request.jwtVerify()` in an `onRequest`
 * hook that sends the error. Three additions the README leaves to the reader and a deployment needs:
 * the hook sits on /protected only (so /public stays open), the verifier checks the issuer, the
 * audience and RS256, and get-jwks only fetches from the configured issuer (`issuersWhitelist`:
 * `domain: iss` comes from the not yet verified token, so without it any token picks the URL the
 * server fetches). No verified-token cache, and a token whose kid is not in the JWKS ends in
 * get-jwks' JWK_NOT_FOUND error, which carries no HTTP status: Fastify answers it with 500.
 */
import fastifyJwt, { type TokenOrHeader } from "@fastify/jwt";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import buildGetJwks from "get-jwks";
import { PROTECTED_MESSAGE, PUBLIC_MESSAGE } from "../expected-bodies.ts";
import { claimSub, completeTokenParts } from "./fastify-token.ts";
import { listenAndAnnounce, readSubjectEnv } from "./subject-runtime.ts";

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
listenAndAnnounce(fastify.server);
