import { randomBytes } from "node:crypto";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createClientCredentialsTokenSource,
  createDpopFetch,
  createDpopSigner,
  type DpopSigner,
} from "../src/client.ts";
import { type CheckedProof, checkDpopProof } from "./support/dpop-proof-check.ts";
import { type LoopbackServer, startLoopbackServer } from "./support/loopback-server.ts";

// createDpopFetch against a real HTTP server that checks every proof it gets with jose, and a
// real DPoP-bound token from the local issuer.

/** How the resource server answers: accept, require its nonce, always challenge, or refuse. */
type Mode = "accept" | "require nonce" | "always challenge" | "invalid token";

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly dpopHeaders: number;
  readonly proof: CheckedProof | undefined;
  readonly body: string;
}

let issuer: LocalIssuer;
let resource: LoopbackServer;
let mode: Mode = "accept";
let currentNonce = "";
const seen: Seen[] = [];

beforeAll(async () => {
  issuer = await startLocalIssuer();
  resource = await startLoopbackServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const authorization = req.headers.authorization;
      const token = /^DPoP (\S+)$/i.exec(authorization ?? "")?.[1];
      const proof =
        token === undefined
          ? undefined
          : await checkDpopProof(req, resource.url, token).catch(() => undefined);
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        authorization,
        dpopHeaders: req.headersDistinct.dpop?.length ?? 0,
        proof,
        body: Buffer.concat(chunks).toString(),
      });
      const challenge = (error: string) => {
        res.writeHead(401, {
          "www-authenticate": `Bearer realm="api", DPoP algs="ES256", error="${error}"`,
          "dpop-nonce": currentNonce,
        });
        res.end();
      };
      if (mode === "invalid token") return challenge("invalid_token");
      if (mode === "always challenge") currentNonce = randomBytes(8).toString("base64url");
      if (mode !== "accept" && proof?.nonce !== currentNonce) return challenge("use_dpop_nonce");
      res.writeHead(200, { "content-type": "text/plain", "dpop-nonce": currentNonce });
      res.end("ok");
    });
  });
});
afterAll(async () => {
  await resource.close();
  await issuer.close();
});
beforeEach(() => {
  mode = "accept";
  currentNonce = randomBytes(8).toString("base64url");
  seen.length = 0;
});

async function boundToken(): Promise<{ signer: DpopSigner; token: string }> {
  const signer = await createDpopSigner();
  const token = await createClientCredentialsTokenSource({
    tokenUrl: issuer.tokenUrl,
    clientId: "demo-client",
    clientSecret: "demo-secret",
    audience: issuer.audience,
    dpop: signer,
  }).getToken();
  return { signer, token };
}

describe("createDpopFetch", () => {
  it("adds a proof to each DPoP request for its method and URL without query, with ath and a new jti", async () => {
    const { signer, token } = await boundToken();
    const dpopFetch = createDpopFetch({ signer });
    const authorization = `DPoP ${token}`;
    const get = await dpopFetch(`${resource.url}/trpc/a,b?batch=1&input={}`, {
      headers: { authorization },
    });
    const post = await dpopFetch(`${resource.url}/trpc/c`, {
      method: "post",
      headers: new Headers({ authorization, "content-type": "application/json" }),
      body: '{"x":1}',
    });
    expect([get.status, post.status]).toEqual([200, 200]);

    expect(seen.map((s) => [s.method, s.dpopHeaders, s.proof?.htm, s.proof?.htu])).toEqual([
      ["GET", 1, "GET", `${resource.url}/trpc/a,b`],
      ["POST", 1, "POST", `${resource.url}/trpc/c`],
    ]);
    expect(seen[1]?.body).toBe('{"x":1}');
    expect(new Set(seen.map((s) => s.proof?.jti)).size).toBe(2);
    // The token is bound to the key that signed the proofs.
    expect(decodeJwt(token).cnf).toEqual({ jkt: seen[0]?.proof?.jkt });
  });

  it("sends a Bearer request as it is, with no DPoP header", async () => {
    const { signer } = await boundToken();
    const response = await createDpopFetch({ signer })(`${resource.url}/rest`, {
      headers: { authorization: "Bearer plain.bearer.token" },
    });
    expect(response.status).toBe(200);
    expect(seen).toMatchObject([{ authorization: "Bearer plain.bearer.token", dpopHeaders: 0 }]);
  });

  it("remembers the DPoP-Nonce of every answer and puts it in the next proof", async () => {
    const { signer, token } = await boundToken();
    const dpopFetch = createDpopFetch({ signer });
    await dpopFetch(`${resource.url}/one`, { headers: { authorization: `DPoP ${token}` } });
    expect(signer.nonceFor(resource.url)).toBe(currentNonce);
    await dpopFetch(`${resource.url}/two`, { headers: { authorization: `DPoP ${token}` } });
    expect(seen.map((s) => s.proof?.nonce)).toEqual([undefined, currentNonce]);
  });

  it("answers a use_dpop_nonce challenge once, at once, with a new proof holding the server's nonce", async () => {
    mode = "require nonce";
    const { signer, token } = await boundToken();
    const response = await createDpopFetch({ signer })(`${resource.url}/trpc/m`, {
      method: "POST",
      headers: { authorization: `dpop ${token}` },
      body: "[1]",
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok");
    expect(seen).toHaveLength(2);
    expect(seen.map((s) => s.proof?.nonce)).toEqual([undefined, currentNonce]);
    expect(seen.map((s) => s.body)).toEqual(["[1]", "[1]"]);
    expect(seen[0]?.proof?.jti).not.toBe(seen[1]?.proof?.jti);
  });

  it("returns a second use_dpop_nonce challenge as the answer, without a third request", async () => {
    mode = "always challenge";
    const { signer, token } = await boundToken();
    const response = await createDpopFetch({ signer })(`${resource.url}/x`, {
      headers: { authorization: `DPoP ${token}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain('error="use_dpop_nonce"');
    expect(seen).toHaveLength(2);
    // The second proof carried the nonce of the first challenge.
    expect(seen[1]?.proof?.nonce).toBeDefined();
  });

  it("does not retry a 401 that is no nonce challenge", async () => {
    mode = "invalid token";
    const { signer, token } = await boundToken();
    const response = await createDpopFetch({ signer })(`${resource.url}/x`, {
      headers: { authorization: `DPoP ${token}` },
    });
    expect(response.status).toBe(401);
    expect(seen).toHaveLength(1);
  });

  it("does not retry a nonce challenge to a request whose body was a stream (it cannot be sent again)", async () => {
    mode = "require nonce";
    const { signer, token } = await boundToken();
    const response = await createDpopFetch({ signer })(`${resource.url}/upload`, {
      method: "POST",
      headers: { authorization: `DPoP ${token}` },
      body: new Blob(["streamed"]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(401);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.body).toBe("streamed");
  });
});
