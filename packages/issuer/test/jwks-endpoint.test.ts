import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LocalIssuer, startLocalIssuer } from "../src/index.ts";

let issuer: LocalIssuer;

beforeEach(async () => {
  issuer = await startLocalIssuer();
});
afterEach(() => issuer.close());

async function publishedKids(): Promise<string[]> {
  const body = (await (await fetch(issuer.jwksUri)).json()) as { keys: Array<{ kid: string }> };
  return body.keys.map((key) => key.kid);
}

/** Resolves once the issuer has received `count` JWKS requests, so a hung one is known to be in. */
async function jwksRequestsReceived(count: number): Promise<void> {
  await expect.poll(() => issuer.requestCounts().jwks, { timeout: 5_000, interval: 5 }).toBe(count);
}

describe("JWKS endpoint", () => {
  it("publishes the signing key as an RS256 public JWK without private members", async () => {
    const res = await fetch(issuer.jwksUri);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await res.json()) as { keys: Array<Record<string, string>> };
    expect(body.keys).toHaveLength(1);
    const [key] = body.keys;
    expect(Object.keys(key!).sort()).toEqual(["alg", "e", "kid", "kty", "n", "use"]);
    expect(key).toMatchObject({
      kty: "RSA",
      alg: "RS256",
      use: "sig",
      e: "AQAB",
      kid: issuer.keys().signing,
    });
    // 2048-bit modulus: 256 bytes, 342 base64url characters.
    expect(key!.n).toHaveLength(342);
  });

  it("keeps the old key published after rotateKey and adds the new signing key", async () => {
    const first = issuer.keys().signing;
    const second = await issuer.rotateKey();
    expect(issuer.keys()).toEqual({ published: [first, second], signing: second });
    expect(await publishedKids()).toEqual([first, second]);
  });

  it("publishes a key from addKey without signing with it", async () => {
    const first = issuer.keys().signing;
    const added = await issuer.addKey();
    expect(issuer.keys()).toEqual({ published: [first, added], signing: first });
    expect(await publishedKids()).toEqual([first, added]);
  });

  it("stops publishing a removed key, handing signing to the newest remaining key", async () => {
    const first = issuer.keys().signing;
    const second = await issuer.addKey();
    const third = await issuer.rotateKey();
    issuer.removeKey(first);
    expect(await publishedKids()).toEqual([second, third]);
    issuer.removeKey(third);
    expect(issuer.keys()).toEqual({ published: [second], signing: second });
    expect(await publishedKids()).toEqual([second]);
  });

  it("refuses to remove the only key or an unknown kid", () => {
    expect(() => issuer.removeKey(issuer.keys().signing)).toThrow(/only key/);
    expect(() => issuer.removeKey("nope")).toThrow(/no published key/);
  });

  it('answers 500 in "error" mode', async () => {
    issuer.setJwksMode("error");
    const res = await fetch(issuer.jwksUri);
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: "server_error" });
  });

  it('answers 200 with a body that is not JSON in "invalid-json" mode', async () => {
    issuer.setJwksMode("invalid-json");
    const res = await fetch(issuer.jwksUri);
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow(SyntaxError);
  });

  it('answers an empty key set in "empty" mode, and the real keys again in "ok" mode', async () => {
    issuer.setJwksMode("empty");
    expect(await (await fetch(issuer.jwksUri)).json()).toEqual({ keys: [] });
    issuer.setJwksMode("ok");
    expect(await publishedKids()).toEqual([issuer.keys().signing]);
  });

  it('never answers in "hang" mode, so a client timeout fires', async () => {
    issuer.setJwksMode("hang");
    const error = await fetch(issuer.jwksUri, { signal: AbortSignal.timeout(300) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("TimeoutError");
    issuer.setJwksMode("ok");
    expect(await publishedKids()).toEqual([issuer.keys().signing]);
  });

  it('answers requests hung in "hang" mode once the mode switches back', async () => {
    issuer.setJwksMode("hang");
    const pending = fetch(issuer.jwksUri);
    await jwksRequestsReceived(1);
    issuer.setJwksMode("ok");
    const res = await pending;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { keys: unknown[] }).keys).toHaveLength(1);
  });

  it("close() finishes while a JWKS request hangs, failing that request", async () => {
    issuer.setJwksMode("hang");
    const pending = fetch(issuer.jwksUri).then(
      () => "answered",
      () => "failed",
    );
    await jwksRequestsReceived(1);
    await issuer.close();
    expect(await pending).toBe("failed");
  });

  it("answers 405 with Allow for a POST", async () => {
    const res = await fetch(issuer.jwksUri, { method: "POST" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    expect(await res.json()).toMatchObject({ error: "method_not_allowed" });
  });
});
