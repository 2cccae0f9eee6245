import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  isTRPCClientError,
  splitLink,
  type TRPCClientError,
} from "@trpc/client";
import { initTRPC, TRPCError } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createClientCredentialsTokenSource,
  createDpopFetch,
  createDpopSigner,
  type DpopSigner,
  type TokenSource,
} from "../src/client.ts";
import { bearerAuthHeaders, bearerAuthLink } from "../src/trpc-link.ts";
import { bearerSubscriptionLink } from "../src/trpc-subscription-link.ts";
import { type CheckedProof, checkDpopProof } from "./support/dpop-proof-check.ts";
import { startLoopbackServer } from "./support/loopback-server.ts";

// The tRPC links with DPoP-bound tokens from the real local issuer, against a real tRPC server
// that checks tokens and proofs as RFC 9449 §7 says (with jose), answers nonce challenges like
// the api (401 for a whole request, per call in a batch that partly succeeded) and refuses SSE
// connects at the HTTP level before tRPC, as the api does.

/** How the api answers proofs: accept any fresh one, require its nonce, or challenge every time. */
type NonceMode = "none" | "required" | "always challenge";

type Auth =
  | { readonly ok: true; readonly sub: string }
  | {
      readonly ok: false;
      readonly error: "invalid_token" | "invalid_dpop_proof" | "use_dpop_nonce";
    }
  | undefined;

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly dpopHeaders: number;
  readonly proof: CheckedProof | undefined;
}

let issuer: LocalIssuer;
let apiUrl: string;
let closeApi: () => Promise<void>;
let nonceMode: NonceMode = "none";
let currentNonce = "";
let publicCalls = 0;
const revoked = new Set<string>();
const jtis = new Set<string>();
const seen: Seen[] = [];
const authOf = new WeakMap<IncomingMessage, Auth>();

interface Context {
  readonly auth: Auth;
  readonly setHeader: (name: string, value: string) => void;
}
const t = initTRPC.context<Context>().create();
const protectedProcedure = t.procedure.use(({ ctx, next }) => {
  const { auth } = ctx;
  if (auth?.ok === true) return next({ ctx: { sub: auth.sub } });
  ctx.setHeader("www-authenticate", challenge(auth?.error));
  throw new TRPCError({ code: "UNAUTHORIZED", message: auth?.error ?? "no token" });
});
const router = t.router({
  public: t.procedure.query(() => {
    publicCalls += 1;
    return "public";
  }),
  whoami: protectedProcedure.query(({ ctx }) => ctx.sub),
  echo: protectedProcedure.input((v: unknown) => String(v)).mutation(({ input }) => input),
  ticks: protectedProcedure.subscription(async function* () {
    yield 1;
    yield 2;
  }),
});
type Router = typeof router;

function challenge(error: string | undefined): string {
  const dpop = `DPoP algs="ES256"${error === undefined ? "" : `, error="${error}"`}`;
  return `Bearer realm="api", ${dpop}`;
}

/** The api's check: a bound token only with the DPoP scheme and a valid proof by its key. */
async function authenticate(
  req: IncomingMessage,
  jwks: ReturnType<typeof createRemoteJWKSet>,
): Promise<{ auth: Auth; proof: CheckedProof | undefined }> {
  const [scheme, token] = (req.headers.authorization ?? "").split(" ");
  if (token === undefined) return { auth: undefined, proof: undefined };
  const claims = await jwtVerify(token, jwks, { audience: issuer.audience }).then(
    (verified) => verified.payload,
    () => undefined,
  );
  if (claims === undefined || revoked.has(token)) {
    return { auth: { ok: false, error: "invalid_token" }, proof: undefined };
  }
  const jkt = (claims.cnf as { jkt?: string } | undefined)?.jkt;
  if (scheme?.toLowerCase() !== "dpop") {
    // RFC 9449 §7.2: a bound token sent as a bearer token is a downgrade.
    const auth: Auth =
      jkt === undefined
        ? { ok: true, sub: String(claims.sub) }
        : { ok: false, error: "invalid_token" };
    return { auth, proof: undefined };
  }
  const proof = await checkDpopProof(req, apiUrl, token).catch(() => undefined);
  if (proof === undefined || proof.jkt !== jkt || jtis.has(proof.jti)) {
    return { auth: { ok: false, error: "invalid_dpop_proof" }, proof };
  }
  jtis.add(proof.jti);
  if (nonceMode === "always challenge") currentNonce = randomBytes(8).toString("base64url");
  if (nonceMode !== "none" && proof.nonce !== currentNonce) {
    return { auth: { ok: false, error: "use_dpop_nonce" }, proof };
  }
  return { auth: { ok: true, sub: String(claims.sub) }, proof };
}

beforeAll(async () => {
  issuer = await startLocalIssuer();
  const jwks = createRemoteJWKSet(new URL(issuer.jwksUri));
  const handler = createHTTPHandler({
    router,
    createContext: ({ req, res }) => ({
      auth: authOf.get(req),
      setHeader: (name: string, value: string) => res.setHeader(name, value),
    }),
  });
  const api = await startLoopbackServer(async (req, res) => {
    const { auth, proof } = await authenticate(req, jwks);
    seen.push({
      method: req.method ?? "",
      path: new URL(req.url ?? "/", apiUrl).pathname,
      authorization: req.headers.authorization,
      dpopHeaders: req.headersDistinct.dpop?.length ?? 0,
      proof,
    });
    res.setHeader("dpop-nonce", currentNonce);
    if (req.headers.accept === "text/event-stream" && auth?.ok !== true) {
      const shape = {
        message: auth?.error ?? "no token",
        code: -32001,
        data: { code: "UNAUTHORIZED", httpStatus: 401 },
      };
      res.writeHead(401, {
        "content-type": "application/json",
        "www-authenticate": challenge(auth?.error),
      });
      res.end(JSON.stringify({ error: shape }));
      return;
    }
    authOf.set(req, auth);
    handler(req, res);
  });
  apiUrl = api.url;
  closeApi = api.close;
});

afterAll(async () => {
  await closeApi();
  await issuer.close();
});

beforeEach(() => {
  nonceMode = "none";
  currentNonce = randomBytes(8).toString("base64url");
  publicCalls = 0;
  revoked.clear();
  seen.length = 0;
  issuer.resetRequestCounts();
});

async function boundSource(): Promise<{ signer: DpopSigner; tokenSource: TokenSource }> {
  const signer = await createDpopSigner();
  return { signer, tokenSource: tokenSource(signer) };
}

function tokenSource(dpop?: DpopSigner): TokenSource {
  return createClientCredentialsTokenSource({
    tokenUrl: issuer.tokenUrl,
    clientId: "demo-client",
    clientSecret: "demo-secret",
    audience: issuer.audience,
    retry: { maxAttempts: 1 },
    ...(dpop === undefined ? {} : { dpop }),
  });
}

/** The client as apps/client builds it, with httpBatchLink or httpLink for queries. */
function client(source: TokenSource, signer: DpopSigner, http: "batch" | "single" = "batch") {
  const fetch = createDpopFetch({ signer });
  const terminating = http === "batch" ? httpBatchLink : httpLink;
  return createTRPCClient<Router>({
    links: [
      bearerAuthLink({ tokenSource: source }),
      splitLink({
        condition: (op) => op.type === "subscription",
        true: bearerSubscriptionLink({ url: apiUrl, tokenSource: source, fetch }),
        false: terminating({ url: apiUrl, headers: bearerAuthHeaders, fetch }),
      }),
    ],
  });
}

async function rejection(promise: Promise<unknown>): Promise<TRPCClientError<Router>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isTRPCClientError<Router>(error)) throw new Error(`expected a TRPCClientError: ${error}`);
  return error;
}

/** The first value of the `ticks` subscription, or the error that ended it. */
function firstTick(api: ReturnType<typeof client>): Promise<number> {
  return new Promise((resolve, reject) => {
    const subscription = api.ticks.subscribe(undefined, {
      onData: (value) => {
        subscription.unsubscribe();
        resolve(value);
      },
      onError: (error) => {
        subscription.unsubscribe();
        reject(error);
      },
    });
  });
}

describe("bearerAuthLink and bearerSubscriptionLink with a DPoP-bound token", () => {
  it("send a batch as one request with Authorization: DPoP and one proof for its method and path", async () => {
    const { signer, tokenSource: source } = await boundSource();
    const api = client(source, signer);
    expect(await Promise.all([api.whoami.query(), api.whoami.query()])).toEqual([
      "demo-client@clients",
      "demo-client@clients",
    ]);
    const token = await source.getToken();
    expect(seen).toEqual([
      {
        method: "GET",
        path: "/whoami,whoami",
        authorization: `DPoP ${token}`,
        dpopHeaders: 1,
        proof: expect.objectContaining({ htm: "GET", htu: `${apiUrl}/whoami,whoami` }),
      },
    ]);
    expect(seen[0]?.proof?.jkt).toBe(await signer.thumbprint());
  });

  it("sign each httpLink query and mutation anew: POST for the mutation, a new jti each time", async () => {
    const { signer, tokenSource: source } = await boundSource();
    const api = client(source, signer, "single");
    expect(await api.echo.mutate("hi")).toBe("hi");
    expect(await api.whoami.query()).toBe("demo-client@clients");
    expect(await api.whoami.query()).toBe("demo-client@clients");
    expect(seen.map((s) => [s.method, s.proof?.htm, s.proof?.htu])).toEqual([
      ["POST", "POST", `${apiUrl}/echo`],
      ["GET", "GET", `${apiUrl}/whoami`],
      ["GET", "GET", `${apiUrl}/whoami`],
    ]);
    expect(new Set(seen.map((s) => s.proof?.jti)).size).toBe(3);
    expect(issuer.requestCounts().token).toBe(1);
  });

  it("retry a 401 with a fresh token and a new proof for it", async () => {
    const { signer, tokenSource: source } = await boundSource();
    const refused = await source.getToken();
    revoked.add(refused);
    expect(await client(source, signer).whoami.query()).toBe("demo-client@clients");
    const fresh = await source.getToken();
    expect(seen.map((s) => s.authorization)).toEqual([`DPoP ${refused}`, `DPoP ${fresh}`]);
    // The second proof's ath is the fresh token's (checkDpopProof checked it), and it is new.
    expect(seen[1]?.proof).toBeDefined();
    expect(seen[1]?.proof?.jti).not.toBe(seen[0]?.proof?.jti);
    expect(issuer.requestCounts().token).toBe(2);
  });

  it("send an unbound token as Bearer with no proof, though a DPoP fetch is configured", async () => {
    const signer = await createDpopSigner();
    const source = tokenSource();
    expect(await client(source, signer).whoami.query()).toBe("demo-client@clients");
    expect(decodeJwt(await source.getToken()).cnf).toBeUndefined();
    expect(seen).toMatchObject([{ authorization: `Bearer ${await source.getToken()}` }]);
    expect(seen[0]?.dpopHeaders).toBe(0);
  });

  it("answer the api's nonce challenge once with its nonce, keeping the token", async () => {
    nonceMode = "required";
    const { signer, tokenSource: source } = await boundSource();
    expect(await client(source, signer).echo.mutate("once")).toBe("once");
    expect(seen.map((s) => s.proof?.nonce)).toEqual([undefined, currentNonce]);
    expect(issuer.requestCounts().token).toBe(1);
  });

  it("pass a second nonce challenge on as the error, without a token refetch or a third request", async () => {
    nonceMode = "always challenge";
    const { signer, tokenSource: source } = await boundSource();
    const error = await rejection(client(source, signer).whoami.query());
    expect(error.data?.httpStatus).toBe(401);
    expect(error.message).toBe("use_dpop_nonce");
    expect(seen).toHaveLength(2);
    expect(issuer.requestCounts().token).toBe(1);
  });

  it("in a batch that partly succeeded (207), send only the nonce-refused calls again, once", async () => {
    nonceMode = "required";
    const { signer, tokenSource: source } = await boundSource();
    const api = client(source, signer);
    expect(await Promise.all([api.public.query(), api.whoami.query()])).toEqual([
      "public",
      "demo-client@clients",
    ]);
    expect(seen.map((s) => [s.path, s.proof?.nonce])).toEqual([
      ["/public,whoami", undefined],
      ["/whoami", currentNonce],
    ]);
    expect(publicCalls).toBe(1);
    expect(issuer.requestCounts().token).toBe(1);
  });

  it("sign every SSE connect: GET, htu without the query, the DPoP scheme", async () => {
    const { signer, tokenSource: source } = await boundSource();
    expect(await firstTick(client(source, signer))).toBe(1);
    expect(seen).toEqual([
      {
        method: "GET",
        path: "/ticks",
        authorization: `DPoP ${await source.getToken()}`,
        dpopHeaders: 1,
        proof: expect.objectContaining({ htm: "GET", htu: `${apiUrl}/ticks` }),
      },
    ]);
  });

  it("answer a nonce challenge at an SSE connect once, keeping the token", async () => {
    nonceMode = "required";
    const { signer, tokenSource: source } = await boundSource();
    expect(await firstTick(client(source, signer))).toBe(1);
    expect(seen.map((s) => s.proof?.nonce)).toEqual([undefined, currentNonce]);
    expect(issuer.requestCounts().token).toBe(1);
  });

  it("reopen a stream refused 401 with a fresh token and a new proof", async () => {
    const { signer, tokenSource: source } = await boundSource();
    const refused = await source.getToken();
    revoked.add(refused);
    expect(await firstTick(client(source, signer))).toBe(1);
    const fresh = await source.getToken();
    expect(seen.map((s) => s.authorization)).toEqual([`DPoP ${refused}`, `DPoP ${fresh}`]);
    expect(seen[1]?.proof?.jti).not.toBe(seen[0]?.proof?.jti);
    expect(issuer.requestCounts().token).toBe(2);
  });

  it("end a subscription whose connect is challenged twice with the api's 401, keeping the token", async () => {
    nonceMode = "always challenge";
    const { signer, tokenSource: source } = await boundSource();
    const error = await rejection(firstTick(client(source, signer)));
    expect(error.data?.httpStatus).toBe(401);
    expect(error.message).toBe("use_dpop_nonce");
    expect(seen).toHaveLength(2);
    expect(issuer.requestCounts().token).toBe(1);
  });
});
