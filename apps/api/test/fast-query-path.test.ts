import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApiUnderTest,
  type Stack,
  startApiInProcess,
  startStack,
} from "./support/start-stack.ts";

// Differential test: the fast query path must answer byte for byte what tRPC's official adapter
// answers, for every kind of request it takes, and leave the rest to the official adapter.
let stack: Stack;
let fast: ApiUnderTest;
let official: ApiUnderTest;
let demoToken: string;
let limitedToken: string;

beforeAll(async () => {
  // One public URL for both, so that their challenges name the same metadata document.
  const publicUrl = "https://api.example.com";
  stack = await startStack({ api: { publicUrl } });
  fast = stack.api;
  const { issuer } = stack;
  official = await startApiInProcess({
    verifier: { issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri },
    fastPath: false,
    publicUrl,
  });
  demoToken = await issuer.signToken();
  limitedToken = await issuer.signToken({ clientId: "limited-client" });
});
afterAll(async () => {
  await official.close();
  await stack.close();
});

const enc = encodeURIComponent;
const expired = () =>
  stack.issuer.signToken({ issuedAt: Math.floor(Date.now() / 1000) - 7200, expiresInSeconds: 60 });

const cases: Array<[string, string, () => Promise<string | undefined>]> = [
  ["single public query", "/trpc/public", async () => undefined],
  ["single public query with input", `/trpc/public?input=${enc("{}")}`, async () => undefined],
  ["single protected query, valid token", "/trpc/protected", async () => `Bearer ${demoToken}`],
  ["single protected query, no token", "/trpc/protected", async () => undefined],
  [
    "single protected query, expired token",
    "/trpc/protected",
    async () => `Bearer ${await expired()}`,
  ],
  ["single protected query, Basic scheme", "/trpc/protected", async () => "Basic abc"],
  ["secret without the scope", "/trpc/secret", async () => `Bearer ${limitedToken}`],
  ["secret with the scope", "/trpc/secret", async () => `Bearer ${demoToken}`],
  [
    "batch public+protected, no token",
    `/trpc/public,protected?batch=1&input=${enc("{}")}`,
    async () => undefined,
  ],
  [
    "batch of three, valid token",
    `/trpc/public,protected,secret?batch=1&input=${enc("{}")}`,
    async () => `Bearer ${demoToken}`,
  ],
  ["batch without input", "/trpc/public,protected?batch=1", async () => `Bearer ${demoToken}`],
  [
    "batch, limited token",
    `/trpc/protected,secret?batch=1&input=${enc("{}")}`,
    async () => `Bearer ${limitedToken}`,
  ],
  // Not taken by the fast path: these prove the fallback answers exactly as the official adapter.
  ["unknown procedure", "/trpc/nope", async () => undefined],
  [
    "batch with an unknown procedure",
    `/trpc/public,nope?batch=1&input=${enc("{}")}`,
    async () => undefined,
  ],
  ["malformed input JSON", `/trpc/public?input=${enc("{oops")}`, async () => undefined],
  [
    "batch input that is not an object",
    `/trpc/public?batch=1&input=${enc("[1]")}`,
    async () => undefined,
  ],
  ["bad URL encoding", "/trpc/pub%ZZlic", async () => undefined],
];

describe("fast query path is indistinguishable from the official adapter", () => {
  for (const [name, path, authorization] of cases) {
    it(name, async () => {
      const auth = await authorization();
      const headers: Record<string, string> = auth === undefined ? {} : { authorization: auth };
      const [a, b] = await Promise.all([
        fetch(`${fast.url}${path}`, { headers }),
        fetch(`${official.url}${path}`, { headers }),
      ]);
      expect(a.status).toBe(b.status);
      for (const header of ["content-type", "www-authenticate", "retry-after", "vary"]) {
        expect(a.headers.get(header), header).toBe(b.headers.get(header));
      }
      expect(await a.text()).toBe(await b.text());
    });
  }

  it("streaming requests (trpc-accept: application/jsonl) still work through the official adapter", async () => {
    const response = await fetch(`${fast.url}/trpc/public?batch=1&input=${enc("{}")}`, {
      headers: { "trpc-accept": "application/jsonl" },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("This is a public message!");
  });

  it("HEAD and POST to a query go through the official adapter", async () => {
    const head = await fetch(`${fast.url}/trpc/public`, { method: "HEAD" });
    const headOfficial = await fetch(`${official.url}/trpc/public`, { method: "HEAD" });
    expect(head.status).toBe(headOfficial.status);
    const post = await fetch(`${fast.url}/trpc/public`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    const postOfficial = await fetch(`${official.url}/trpc/public`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(post.status).toBe(405);
    expect(await post.text()).toBe(await postOfficial.text());
  });
});
