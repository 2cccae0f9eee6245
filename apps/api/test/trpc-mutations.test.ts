import { type AppRouter, FORBIDDEN_CHARACTERS_MESSAGE } from "@repo/api-router";
import { TRPCClientError } from "@trpc/client";
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
          issues: [{ path: "text", code: "too_small", message: "Too small: at least 1 character" }],
        },
      },
    });
    const extra = await post("postMessage", { text: "hi", sub: "someone-else" }, authorization);
    expect(extra.status).toBe(400);
    expect(extra.json.error.data.issues).toEqual([
      { path: "", code: "unrecognized_keys", message: "Has a key that is not allowed here" },
    ]);
    for (const res of [empty, extra]) {
      expect(res.text).not.toMatch(/stack|ZodError|node_modules|\.ts:/);
      expect(res.headers.get("www-authenticate")).toBeNull();
    }
  });

  // An error body may be shown by whoever reads it (a page, a terminal, a log viewer): it never
  // repeats what the caller chose. Each hostile value carries the marker "zzhostile".
  const HOSTILE = [
    ["long", `zzhostile${"A".repeat(4000)}`],
    ["control characters", "zzhostile\u0000\u001b[31m\r\nforged line"],
    ["HTML", "<script>alert('zzhostile')</script>"],
  ] as const;

  it.each(HOSTILE)(
    "a %s unknown key is not repeated in the 400, nor in its issue's path",
    async (_, key) => {
      const res = await post(
        "postMessage",
        { text: "hi", [key]: key },
        `Bearer ${await stack.token()}`,
      );
      expect(res.status).toBe(400);
      expect(res.json.error.data.issues).toEqual([
        { path: "", code: "unrecognized_keys", message: "Has a key that is not allowed here" },
      ]);
      expect(res.text).not.toMatch(/zzhostile/i);
    },
  );

  it.each(HOSTILE)(
    "a %s value of the wrong type or a body that is not JSON is not repeated",
    async (_, value) => {
      const authorization = `Bearer ${await stack.token()}`;
      const wrongType = await post("postMessage", { text: { [value]: value } }, authorization);
      expect(wrongType.status).toBe(400);
      expect(wrongType.json.error.data.issues).toEqual([
        { path: "text", code: "invalid_type", message: "Expected string" },
      ]);
      const notJson = await fetch(`${stack.api.url}/trpc/postMessage`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization },
        body: `{"text": ${value}`,
      });
      const text = await notJson.text();
      expect(notJson.status).toBe(400);
      expect(JSON.parse(text).error.message).toBe("Input is not valid JSON");
      for (const body of [wrongType.text, text]) expect(body).not.toMatch(/zzhostile/i);
    },
  );

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

describe("postMessage refuses control and bidirectional formatting characters", () => {
  it.each([
    ["NUL", "a\u0000b"],
    ["ESC (a terminal escape sequence)", "\u001b[2J\u001b[31mred"],
    ["CR inside the text", "shown\roverwritten"],
    ["vertical tab", "a\u000bb"],
    ["DEL", "a\u007fb"],
    ["a C1 control (CSI)", "a\u009b31mb"],
    ["a C1 control (NEL)", "a\u0085b"],
    ["RIGHT-TO-LEFT OVERRIDE", "access\u202e\u2066level\u2069\u2066"],
    ["LEFT-TO-RIGHT EMBEDDING", "a\u202ab"],
    ["FIRST STRONG ISOLATE", "a\u2068b"],
    ["LEFT-TO-RIGHT MARK", "a\u200eb"],
    ["RIGHT-TO-LEFT MARK", "a\u200fb"],
    ["ARABIC LETTER MARK", "a\u061cb"],
  ])("%s: 400 BAD_REQUEST with a clear issue, and nothing is stored", async (_, text) => {
    const authorization = `Bearer ${await stack.token()}`;
    const before = await post("postMessage", { text: "before" }, authorization);
    const refused = await post("postMessage", { text }, authorization);
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({
      message: "Invalid input",
      data: {
        code: "BAD_REQUEST",
        issues: [{ path: "text", code: "custom", message: FORBIDDEN_CHARACTERS_MESSAGE }],
      },
    });
    expect(refused.text).not.toContain(JSON.stringify(text).slice(1, -1));
    // Ids are handed out as messages are stored: the next one follows the last stored directly.
    const after = await post("postMessage", { text: "after" }, authorization);
    expect(Number(after.json.result.data.id)).toBe(Number(before.json.result.data.id) + 1);
  });

  it("keeps tab and line feed inside the text, and trims whitespace (CR included) at its ends", async () => {
    const res = await post(
      "postMessage",
      { text: "\r\n first line\n\tsecond line \r\n" },
      `Bearer ${await stack.token()}`,
    );
    expect(res.status).toBe(200);
    expect(res.json.result.data.text).toBe("first line\n\tsecond line");
  });

  it("refuses them through the typed client as a TRPCClientError BAD_REQUEST", async () => {
    const client = fixedTokenClient(stack, await stack.token());
    const error = await client.postMessage.mutate({ text: "a\u202eb" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).data).toMatchObject({
      code: "BAD_REQUEST",
      httpStatus: 400,
    });
  });
});
