/**
 * Subject: Fastify 5 + @fastify/jwt + get-jwks as a user who measured it would set it up.
 * - fast-jwt's verified-token cache (`verify.cache: true`): a token seen before skips RS256 (the
 *   cache belongs to the verifier, and @fastify/jwt keeps one verifier per public key string).
 * - The key per kid is remembered: `secret` answers from a Map synchronously through its callback
 *   (no promise and no PEM conversion per request); get-jwks is asked only for a kid not seen yet,
 *   always at the configured issuer, never at the token's own `iss`. The trade-off of this setup:
 *   a key withdrawn from the JWKS stays trusted until the process restarts.
 * - A kid the JWKS does not hold is a bad token, answered 401 (get-jwks' error carries no status,
 *   which Fastify would turn into a 500). Failures are not remembered, so a key published later
 *   is found.
 * - The `onRequest` hook and `request.jwtVerify` in their callback forms, with the options argument
 *   left out so that @fastify/jwt reuses its verifier (and its cache) for the key: a cached token
 *   goes through without a promise.
 * Issuer, audience and RS256 are checked as in the documented peer.
 */
import fastifyJwt from "@fastify/jwt";
import Fastify, {
  type FastifyReply,
  type FastifyRequest,
  type HookHandlerDoneFunction,
} from "fastify";
import buildGetJwks from "get-jwks";
import { PROTECTED_MESSAGE, PUBLIC_MESSAGE } from "../expected-bodies.ts";
import { claimSub, completeTokenParts } from "./fastify-token.ts";
import { listenAndAnnounce, readSubjectEnv } from "./subject-runtime.ts";

/** Fastify answers an error with its `statusCode`; this one is a refusal, not a failure. */
class UnknownSigningKeyError extends Error {
  override readonly name = "UnknownSigningKeyError";
  readonly statusCode = 401;
  readonly code = "FST_JWT_AUTHORIZATION_TOKEN_INVALID";
  constructor() {
    super("Authorization token is invalid: unknown signing key");
  }
}

const env = readSubjectEnv();
const fastify = Fastify();
const getJwks = buildGetJwks({ issuersWhitelist: [env.issuer] });
const publicKeys = new Map<string, string>();

function publicKeyFor(kid: string | undefined, alg: string | undefined): Promise<string> {
  if (kid === undefined || alg !== "RS256") return Promise.reject(new UnknownSigningKeyError());
  return getJwks.getPublicKey({ kid, alg, domain: env.issuer }).then(
    (pem) => {
      publicKeys.set(kid, pem);
      return pem;
    },
    () => {
      throw new UnknownSigningKeyError();
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
  // No options object at all: @fastify/jwt treats `jwtVerify(callback)` as per-call options and
  // builds a new fast-jwt verifier (and so an empty token cache) for every request; only an
  // absent options argument reuses the verifier cached for the key.
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
listenAndAnnounce(fastify.server);
