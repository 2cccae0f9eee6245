import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  isTRPCClientError,
  type TRPCClientError,
  type TRPCLink,
} from "@trpc/client";
import { initTRPC, TRPCError } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AuthError, createClientCredentialsTokenSource, type TokenSource } from "../src/client.ts";
import { bearerAuthHeaders, bearerAuthLink } from "../src/trpc-link.ts";
import { startLoopbackServer } from "./support/loopback-server.ts";

// A tiny API whose protected procedure accepts a token only if the issuer signed it and it has not
// been revoked, so a test can make the API refuse the token a client holds.

interface Context {
  readonly authorization: string | undefined;
}

const t = initTRPC.context<Context>().create();

let issuer: LocalIssuer;
let apiUrl: string;
let closeApi: () => Promise<void>;
const revoked = new Set<string>();
let refuseEveryToken = false;
/** The Authorization header of every call that reached the protected procedure. */
const seen: (string | undefined)[] = [];

function createRouter(jwksUri: string, audience: string) {
  const jwks = createRemoteJWKSet(new URL(jwksUri));
  const protectedProcedure = t.procedure.use(async ({ ctx, next }) => {
    seen.push(ctx.authorization);
    const token = /^Bearer (\S+)$/.exec(ctx.authorization ?? "")?.[1];
    if (token === undefined || refuseEveryToken || revoked.has(token)) {
      throw new TRPCError({ code: "UNAUTHORIZED", message: "invalid token" });
    }
    const { payload } = await jwtVerify(token, jwks, { audience }).catch(() => {
      throw new TRPCError({ code: "UNAUTHORIZED", message: "invalid token" });
    });
    return next({ ctx: { sub: String(payload.sub) } });
  });
  return t.router({
    public: t.procedure.query(() => ({ message: "public" })),
    whoami: protectedProcedure.query(({ ctx }) => ({ sub: ctx.sub })),
    forbidden: protectedProcedure.query((): never => {
      throw new TRPCError({ code: "FORBIDDEN", message: "insufficient scope" });
    }),
    echo: protectedProcedure
      .input((value: unknown) => String(value))
      .mutation(({ input }) => ({ echoed: input })),
  });
}

type TestRouter = ReturnType<typeof createRouter>;

beforeAll(async () => {
  issuer = await startLocalIssuer();
  const api = await startLoopbackServer(
    createHTTPHandler({
      router: createRouter(issuer.jwksUri, issuer.audience),
      createContext: ({ req }) => ({ authorization: req.headers.authorization }),
    }),
  );
  apiUrl = api.url;
  closeApi = api.close;
});

afterAll(async () => {
  await closeApi();
  await issuer.close();
});

beforeEach(() => {
  revoked.clear();
  refuseEveryToken = false;
  seen.length = 0;
  issuer.resetRequestCounts();
});

function demoTokenSource(clientSecret = "demo-secret"): TokenSource {
  return createClientCredentialsTokenSource({
    tokenUrl: issuer.tokenUrl,
    clientId: "demo-client",
    clientSecret,
    audience: issuer.audience,
    retry: { maxAttempts: 1 },
  });
}

function batchClient(tokenSource: TokenSource) {
  return createTRPCClient<TestRouter>({
    links: [
      bearerAuthLink({ tokenSource }),
      httpBatchLink({ url: apiUrl, headers: bearerAuthHeaders }),
    ],
  });
}

async function trpcRejection(promise: Promise<unknown>): Promise<TRPCClientError<TestRouter>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isTRPCClientError<TestRouter>(error))
    throw new Error(`expected a TRPCClientError, got ${error}`);
  return error;
}

describe("bearerAuthLink", () => {
  it("sends the token source's token as Authorization: Bearer", async () => {
    const tokenSource = demoTokenSource();
    const client = batchClient(tokenSource);
    expect(await client.whoami.query()).toEqual({ sub: "demo-client@clients" });
    expect(seen).toEqual([`Bearer ${await tokenSource.getToken()}`]);
    expect(issuer.requestCounts().token).toBe(1);
  });

  it("works with httpLink too, for queries and mutations", async () => {
    const tokenSource = demoTokenSource();
    const client = createTRPCClient<TestRouter>({
      links: [
        bearerAuthLink({ tokenSource }),
        httpLink({ url: apiUrl, headers: bearerAuthHeaders }),
      ],
    });
    expect(await client.echo.mutate("hi")).toEqual({ echoed: "hi" });
    expect(await client.whoami.query()).toEqual({ sub: "demo-client@clients" });
    expect(issuer.requestCounts().token).toBe(1);
  });

  it("after a 401, invalidates the token, fetches a fresh one and retries once, successfully", async () => {
    const tokenSource = demoTokenSource();
    const client = batchClient(tokenSource);
    const refused = await tokenSource.getToken();
    revoked.add(refused);

    expect(await client.whoami.query()).toEqual({ sub: "demo-client@clients" });
    const fresh = await tokenSource.getToken();
    expect(fresh).not.toBe(refused);
    expect(seen).toEqual([`Bearer ${refused}`, `Bearer ${fresh}`]);
    expect(issuer.requestCounts().token).toBe(2);
  });

  it("turns a batch of concurrent 401s into one token refetch", async () => {
    const tokenSource = demoTokenSource();
    const client = batchClient(tokenSource);
    revoked.add(await tokenSource.getToken());

    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => client.echo.mutate(`call ${i}`)),
    );
    expect(results.map((r) => r.echoed)).toEqual([
      "call 0",
      "call 1",
      "call 2",
      "call 3",
      "call 4",
    ]);
    expect(issuer.requestCounts().token).toBe(2);
    expect(seen).toHaveLength(10);
  });

  it("surfaces a second 401 as the error after exactly one retry", async () => {
    refuseEveryToken = true;
    const client = batchClient(demoTokenSource());
    const error = await trpcRejection(client.whoami.query());
    expect(error.data?.httpStatus).toBe(401);
    expect(error.data?.code).toBe("UNAUTHORIZED");
    expect(error.message).toBe("invalid token");
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
    // The first token, then one refresh: never a loop of refetches.
    expect(issuer.requestCounts().token).toBe(2);
  });

  it("also retries once on a 401 without a tRPC error shape, e.g. from a gateway", async () => {
    const authorizations: (string | undefined)[] = [];
    const gateway = createServer((req, res) => {
      authorizations.push(req.headers.authorization);
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Unauthorized" }));
    });
    await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
    try {
      const client = createTRPCClient<TestRouter>({
        links: [
          bearerAuthLink({ tokenSource: demoTokenSource() }),
          httpBatchLink({
            url: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`,
            headers: bearerAuthHeaders,
          }),
        ],
      });
      const error = await trpcRejection(client.whoami.query());
      expect((error.meta?.response as Response | undefined)?.status).toBe(401);
      expect(authorizations).toHaveLength(2);
      expect(authorizations[0]).not.toBe(authorizations[1]);
      expect(issuer.requestCounts().token).toBe(2);
    } finally {
      await new Promise((resolve) => gateway.close(resolve));
    }
  });

  it("does not retry other refusals, such as a 403", async () => {
    const client = batchClient(demoTokenSource());
    const error = await trpcRejection(client.forbidden.query());
    expect(error.data?.httpStatus).toBe(403);
    expect(seen).toHaveLength(1);
    expect(issuer.requestCounts().token).toBe(1);
  });

  it("fails the call with the AuthError as cause when no token can be obtained", async () => {
    const client = batchClient(demoTokenSource("wrong-secret"));
    const error = await trpcRejection(client.whoami.query());
    expect(error.cause).toBeInstanceOf(AuthError);
    expect((error.cause as AuthError).code).toBe("token_request_refused");
    expect(error.message).toBe(
      "token endpoint refused the request: invalid_client (unknown client or wrong secret)",
    );
    expect(seen).toHaveLength(0);
  });

  it("explains a terminating link that does not send the token instead of retrying blindly", async () => {
    const tokenSource = demoTokenSource();
    const client = createTRPCClient<TestRouter>({
      links: [bearerAuthLink({ tokenSource }), httpBatchLink({ url: apiUrl })],
    });
    const error = await trpcRejection(client.whoami.query());
    expect(error.message).toContain("pass `headers: bearerAuthHeaders`");
    expect(seen).toEqual([undefined]);
  });

  it("lets public procedures through with the token attached", async () => {
    const client = batchClient(demoTokenSource());
    expect(await client.public.query()).toEqual({ message: "public" });
  });

  it("is a TRPCLink for the router it is used with", () => {
    const link: TRPCLink<TestRouter> = bearerAuthLink<TestRouter>({
      tokenSource: demoTokenSource(),
    });
    expect(typeof link).toBe("function");
  });
});
