/**
 * Subject: Fastify 5 + @fastify/jwt + get-jwks set up by someone who measured it: fast-jwt's
 * verified-token cache, the PEM per kid kept in a Map and handed over synchronously, an unknown kid
 * refused with 401, hook and jwtVerify in callback form (bench/README.md says why each).
 */
import fastifyJwt from "@fastify/jwt";
import Fastify, {
  type FastifyReply,
  type FastifyRequest,
  type HookHandlerDoneFunction,
} from "fastify";
import buildGetJwks from "get-jwks";
import { PROTECTED_MESSAGE, PUBLIC_MESSAGE } from "../routes.ts";
import { claimSub, completeTokenParts } from "./fastify-token.ts";
import { listenAndAnnounce, readSubjectEnv } from "./subject-setup.ts";

/** Fastify answers an error with its `statusCode`; this one is a refusal, not a failure. */
const unknownSigningKey = () =>
  Object.assign(new Error("Authorization token is invalid: unknown signing key"), {
    statusCode: 401,
    code: "FST_JWT_AUTHORIZATION_TOKEN_INVALID",
  });

const env = readSubjectEnv();
const fastify = Fastify();
const getJwks = buildGetJwks({ issuersWhitelist: [env.issuer] });
const publicKeys = new Map<string, string>();

function publicKeyFor(kid: string | undefined, alg: string | undefined): Promise<string> {
  if (kid === undefined || alg !== "RS256") return Promise.reject(unknownSigningKey());
  return getJwks.getPublicKey({ kid, alg, domain: env.issuer }).then(
    (pem) => {
      publicKeys.set(kid, pem);
      return pem;
    },
    () => {
      throw unknownSigningKey();
    },
  );
}

await fastify.register(fastifyJwt, {
  decode: { complete: true },
  secret: (_request, token, callback) => {
    const { kid, alg } = completeTokenParts(token);
    const known = kid === undefined ? undefined : publicKeys.get(kid);
    if (known !== undefined) return callback(null, known);
    publicKeyFor(kid, alg).then(
      (pem) => callback(null, pem),
      (error: Error) => callback(error, undefined),
    );
  },
  verify: {
    allowedIss: env.issuer,
    allowedAud: env.audience,
    algorithms: ["RS256"],
    cache: true,
  },
});

function authenticate(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  // `jwtVerify(callback)` alone counts as per-call options: a new verifier (empty cache) per request.
  request.jwtVerify(undefined as unknown as Parameters<typeof request.jwtVerify>[0], (error) =>
    done(error ?? undefined),
  );
}

fastify.get("/public", async () => ({ message: PUBLIC_MESSAGE }));
fastify.get("/protected", { onRequest: authenticate }, async (request) => ({
  message: PROTECTED_MESSAGE,
  sub: claimSub(request.user),
}));

await fastify.ready();
listenAndAnnounce(fastify.server, env);
