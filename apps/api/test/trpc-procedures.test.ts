import { type AppRouter, appRouter, describeProcedures } from "@repo/api-router";
import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./support/start-stack.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

function client(token?: string, batch = true) {
  const options = {
    url: `${stack.api.url}/trpc`,
    headers: () => (token === undefined ? {} : { authorization: `Bearer ${token}` }),
  };
  return createTRPCClient<AppRouter>({
    links: [batch ? httpBatchLink(options) : httpLink(options)],
  });
}

async function rawTrpc(path: string, authorization?: string) {
  const response = await fetch(`${stack.api.url}/trpc/${path}`, {
    headers: authorization === undefined ? {} : { authorization },
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as unknown,
  };
}

describe("tRPC procedures", () => {
  it("public answers anyone", async () => {
    await expect(client().public.query()).resolves.toEqual({
      message: "This is a public message!",
    });
  });

  it("protected answers a valid token with its sub", async () => {
    await expect(client(await stack.token()).protected.query()).resolves.toEqual({
      message: "This is a protected message!",
      sub: "demo-client@clients",
    });
  });

  it("secret answers a token with the read:secret scope", async () => {
    await expect(client(await stack.token()).secret.query()).resolves.toEqual({
      message: "This is a secret message!",
      sub: "demo-client@clients",
    });
  });

  it("secret answers 403 insufficient_scope to a valid token without the scope", async () => {
    const res = await rawTrpc("secret", `Bearer ${await stack.token("limited-client")}`);
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer realm="api", error="insufficient_scope", error_description="Token lacks scope read:secret", scope="read:secret", resource_metadata="${stack.api.resourceMetadataUrl}"`,
    );
    expect(res.body).toMatchObject({
      error: {
        message: "Token lacks scope read:secret",
        data: { code: "FORBIDDEN", httpStatus: 403, reason: "insufficient_scope" },
      },
    });
    const error = await client(await stack.token("limited-client"), false)
      .secret.query()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).data?.code).toBe("FORBIDDEN");
  });

  it("protected answers 401 with a Bearer challenge on /trpc, without a stack or the token", async () => {
    const res = await rawTrpc("protected");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer realm="api", resource_metadata="${stack.api.resourceMetadataUrl}"`,
    );
    const jwt = `${(await stack.token()).slice(0, -4)}AAAA`;
    const bad = await rawTrpc("protected", `Bearer ${jwt}`);
    expect(bad.status).toBe(401);
    expect(bad.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    const text = JSON.stringify(bad.body);
    expect(text).not.toContain(jwt);
    expect(text).not.toMatch(/stack|at .*\.ts/);
  });

  it("a batch with a refused protected call still answers the public one (207)", async () => {
    const res = await fetch(
      `${stack.api.url}/trpc/public,protected?batch=1&input=${encodeURIComponent("{}")}`,
    );
    expect(res.status).toBe(207);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer realm="api", resource_metadata="${stack.api.resourceMetadataUrl}"`,
    );
    const body = (await res.json()) as Array<Record<string, unknown>>;
    expect(body[0]).toEqual({ result: { data: { message: "This is a public message!" } } });
    expect(body[1]).toMatchObject({
      error: { data: { code: "UNAUTHORIZED", reason: "missing_token" } },
    });
  });
});

describe("every procedure declares its access", () => {
  it("every protected procedure refuses a call without a token over HTTP, with its own method", async () => {
    for (const { path, kind, access } of describeProcedures(appRouter)) {
      const response = await fetch(`${stack.api.url}/trpc/${path}`, {
        method: kind === "mutation" ? "POST" : "GET",
        headers:
          kind === "subscription"
            ? { accept: "text/event-stream" }
            : { "content-type": "application/json" },
        ...(kind === "mutation" ? { body: "{}" } : {}),
      });
      await response.body?.cancel();
      expect(response.status, path).toBe(access === "public" ? 200 : 401);
    }
  });
});

describe("logs", () => {
  it("log each refusal once with its reason and kid, never the token", async () => {
    const expiredToken = await stack.issuer.signToken({
      issuedAt: Math.floor(Date.now() / 1000) - 7200,
      expiresInSeconds: 60,
    });
    const before = stack.logs.length;
    await rawTrpc("protected", `Bearer ${expiredToken}`);
    const refusals = stack.logs.slice(before).filter((line) => line.event === "auth_refused");
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({
      reason: "expired",
      kid: stack.issuer.keys().signing,
      sub: "demo-client@clients",
      clientId: "demo-client",
      path: "protected",
    });
    expect(stack.rawLogs()).not.toContain(expiredToken);
    expect(stack.rawLogs()).not.toContain(expiredToken.split(".")[2]);
  });
});
