import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./support/start-stack.ts";
import { fixedTokenClient } from "./support/subscription-clients.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

async function post(path: string, body: unknown, authorization?: string) {
  const response = await fetch(`${stack.api.url}/trpc/${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(authorization === undefined ? {} : { authorization }),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: JSON.parse(text) };
}

describe("postMessage (protected mutation, write:messages, validated input)", () => {
  it("accepts a token with write:messages and answers the stored message", async () => {
    const res = await post("postMessage", { text: "  hello  " }, `Bearer ${await stack.token()}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      result: {
        data: {
          id: expect.stringMatching(/^\d+$/),
          text: "hello",
          sub: "demo-client@clients",
          postedAt: expect.any(String),
        },
      },
    });
  });

  it("refuses a valid token without write:messages: 403 insufficient_scope with the challenge", async () => {
    const res = await post(
      "postMessage",
      { text: "hello" },
      `Bearer ${await stack.token("limited-client")}`,
    );
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toBe(
      `Bearer realm="api", error="insufficient_scope", error_description="Token lacks scope write:messages", scope="write:messages", resource_metadata="${stack.api.resourceMetadataUrl}"`,
    );
    expect(res.json).toMatchObject({
      error: { data: { code: "FORBIDDEN", httpStatus: 403, reason: "insufficient_scope" } },
    });
  });

  it("refuses invalid input with 400 BAD_REQUEST, the issues and nothing internal", async () => {
    const authorization = `Bearer ${await stack.token()}`;
    const empty = await post("postMessage", { text: "   " }, authorization);
    expect(empty.status).toBe(400);
    expect(empty.json).toEqual({
      error: {
        message: "Invalid input",
        code: -32600,
        data: {
          code: "BAD_REQUEST",
          httpStatus: 400,
          path: "postMessage",
          issues: [{ path: "text", code: "too_small", message: expect.any(String) }],
        },
      },
    });
    const extra = await post("postMessage", { text: "hi", sub: "someone-else" }, authorization);
    expect(extra.status).toBe(400);
    expect(extra.json.error.data.issues).toEqual([
      { path: "", code: "unrecognized_keys", message: expect.stringContaining("sub") },
    ]);
    for (const res of [empty, extra]) {
      expect(res.text).not.toMatch(/stack|ZodError|node_modules|\.ts:/);
      expect(res.headers.get("www-authenticate")).toBeNull();
    }
  });

  it("checks the token before the input: no token and invalid input is 401, not 400", async () => {
    const res = await post("postMessage", { text: "" });
    expect(res.status).toBe(401);
    expect(res.json.error.data.issues).toBeUndefined();
  });

  it("runs every call of a batched POST through the middleware: 207 with each outcome", async () => {
    const res = await post(
      "postMessage,postMessage?batch=1",
      { 0: { text: "first" }, 1: { text: "" } },
      `Bearer ${await stack.token()}`,
    );
    expect(res.status).toBe(207);
    expect(res.json[0].result.data.text).toBe("first");
    expect(res.json[1].error.data).toMatchObject({ code: "BAD_REQUEST", httpStatus: 400 });

    const limited = await post(
      "postMessage,postMessage?batch=1",
      { 0: { text: "a" }, 1: { text: "b" } },
      `Bearer ${await stack.token("limited-client")}`,
    );
    expect(limited.status).toBe(403);
    expect(limited.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
  });

  it("is batched beside a query by the typed client, each answered", async () => {
    const client = fixedTokenClient(stack, await stack.token());
    const [secret, posted, again] = await Promise.all([
      client.secret.query(),
      client.postMessage.mutate({ text: "one" }),
      client.postMessage.mutate({ text: "two" }),
    ]);
    expect(secret.sub).toBe("demo-client@clients");
    expect([posted.text, again.text]).toEqual(["one", "two"]);
    expect(Number(again.id)).toBeGreaterThan(Number(posted.id));
  });
});
