import { networkInterfaces } from "node:os";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { craftProof, type DpopTokens, dpopTokens } from "./support/dpop-cases.ts";
import { type Exchange, send } from "./support/http-exchange.ts";
import { type InProcessApi, startApiFromEnv, startApiInProcess } from "./support/start-stack.ts";

// The URL a DPoP proof must name in `htu` (RFC 9449 §4.3): API_PUBLIC_URL and the request's path
// when the api is behind a proxy, else the address the request arrived at, where a loopback
// listener also goes by localhost, 127.0.0.1 and [::1]. The Host header, which the client
// chooses, never changes it. Every check runs on REST /protected and tRPC /trpc/protected.

let issuer: LocalIssuer;
let tokens: DpopTokens;
beforeAll(async () => {
  issuer = await startLocalIssuer();
  tokens = await dpopTokens(issuer);
});
afterAll(() => issuer?.close());

const PATHS = ["/protected", "/trpc/protected"] as const;
const HTU_REFUSED = "DPoP proof htu must be this request's URL";

/** GET `path` on `base` with the bound token and a proof naming `htu`. */
async function callWithProof(
  base: string,
  path: string,
  htu: string,
  headers: Record<string, string> = {},
): Promise<Exchange> {
  const dpop = await craftProof({ ...tokens, method: "GET", htu, nonce: undefined });
  return send(base, path, { authorization: `DPoP ${tokens.bound}`, headers: { ...headers, dpop } });
}

function expectAccepted(res: Exchange, where: string): void {
  expect(res.status, where).toBe(200);
}

function expectHtuRefused(res: Exchange, where: string): void {
  expect(res.status, where).toBe(401);
  expect(res.headers["www-authenticate"], where).toContain(
    `error="invalid_dpop_proof", error_description="${HTU_REFUSED}"`,
  );
  const body = res.json as { error?: unknown; message?: string };
  expect(JSON.stringify(body), where).toContain(HTU_REFUSED);
}

/** An IPv4 address of this machine that is not loopback, if it has one. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry !== undefined && !entry.internal && entry.family === "IPv4")?.address;
}

function startApi(host?: string): Promise<InProcessApi> {
  return startApiInProcess({
    ...(host === undefined ? {} : { host }),
    verifier: { issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri },
  });
}

describe("without API_PUBLIC_URL: the address the request arrived at", () => {
  let api: InProcessApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api?.close());

  it.each(["127.0.0.1", "localhost", "[::1]", "LOCALHOST"])(
    "a loopback listener accepts a proof naming %s and its port",
    async (host) => {
      for (const path of PATHS) {
        const htu = `http://${host}:${api.port}${path}`;
        expectAccepted(await callWithProof(api.url, path, htu), htu);
      }
    },
  );

  it("accepts an htu spelled differently but equal after RFC 3986 normalisation, query ignored", async () => {
    for (const path of PATHS) {
      const spelled = path.replace("protected", "%70rotected");
      const htu = `HTTP://127.0.0.1:${api.port}/x/..${spelled}?q=1#f`;
      expectAccepted(await callWithProof(api.url, `${path}?q=2`, htu), htu);
    }
  });

  it("refuses a proof naming another port, another scheme or a name that is not loopback", async () => {
    for (const path of PATHS) {
      for (const htu of [
        `http://127.0.0.1:${api.port + 1}${path}`,
        `https://127.0.0.1:${api.port}${path}`,
        `http://127.0.0.2:${api.port}${path}`,
        `http://api.example.com:${api.port}${path}`,
      ]) {
        expectHtuRefused(await callWithProof(api.url, path, htu), htu);
      }
    }
  });

  it("a Host header never changes it: a proof naming the Host is refused, one naming the listener accepted", async () => {
    for (const path of PATHS) {
      for (const host of ["evil.example", `evil.example:${api.port}`]) {
        const spoofed = `http://${host}${path}`;
        const headers = { host, "x-forwarded-host": host, "x-forwarded-proto": "http" };
        expectHtuRefused(await callWithProof(api.url, path, spoofed, headers), spoofed);
        const real = `http://127.0.0.1:${api.port}${path}`;
        expectAccepted(await callWithProof(api.url, path, real, headers), `${real} Host ${host}`);
      }
    }
  });
});

describe("the listening address decides, on any listener", () => {
  it("an IPv6 loopback listener ([::1]) accepts the loopback names too", async () => {
    const api = await startApi("::1");
    try {
      const base = `http://[::1]:${api.port}`;
      for (const path of PATHS) {
        for (const host of ["[::1]", "localhost", "127.0.0.1"]) {
          const htu = `http://${host}:${api.port}${path}`;
          expectAccepted(await callWithProof(base, path, htu), htu);
        }
        const other = `http://api.example.com:${api.port}${path}`;
        expectHtuRefused(await callWithProof(base, path, other), other);
      }
    } finally {
      await api.close();
    }
  });

  // A machine without a non-loopback interface (a sandbox) cannot run this one.
  it.skipIf(externalAddress() === undefined)(
    "a listener on a non-loopback address accepts that address only, not the loopback names",
    async () => {
      const address = externalAddress() as string;
      const api = await startApi(address);
      try {
        const base = `http://${address}:${api.port}`;
        for (const path of PATHS) {
          expectAccepted(await callWithProof(base, path, `${base}${path}`), `${base}${path}`);
          const loopback = `http://localhost:${api.port}${path}`;
          expectHtuRefused(await callWithProof(base, path, loopback), loopback);
        }
      } finally {
        await api.close();
      }
    },
  );

  it("a listener on every address takes the address a request arrived at: loopback here", async () => {
    const api = await startApi("0.0.0.0");
    try {
      const base = `http://127.0.0.1:${api.port}`;
      for (const path of PATHS) {
        const htu = `http://localhost:${api.port}${path}`;
        expectAccepted(await callWithProof(base, path, htu), htu);
        const unspecified = `http://0.0.0.0:${api.port}${path}`;
        expectHtuRefused(await callWithProof(base, path, unspecified), unspecified);
      }
    } finally {
      await api.close();
    }
  });
});

describe("with API_PUBLIC_URL (behind a proxy)", () => {
  let api: InProcessApi;
  beforeAll(async () => {
    api = await startApiFromEnv({
      AUTHACTION_ISSUER: issuer.issuer,
      AUTHACTION_AUDIENCE: issuer.audience,
      API_PUBLIC_URL: "https://api.example.com/base/",
    });
  });
  afterAll(() => api?.close());

  it("accepts a proof naming the public URL and the request's path, in any equal spelling", async () => {
    for (const path of PATHS) {
      for (const htu of [
        `https://api.example.com/base${path}`,
        `HTTPS://API.Example.COM:443/base${path.replace("protected", "%70rotected")}`,
      ]) {
        expectAccepted(await callWithProof(api.url, path, htu), htu);
      }
    }
  });

  it("refuses a proof naming the listening address, or the public host without its path", async () => {
    for (const path of PATHS) {
      for (const htu of [
        `http://127.0.0.1:${api.port}${path}`,
        `http://localhost:${api.port}${path}`,
        `https://api.example.com${path}`,
        `http://api.example.com/base${path}`,
      ]) {
        expectHtuRefused(await callWithProof(api.url, path, htu), htu);
      }
    }
  });

  it("a Host or X-Forwarded-Host header never changes it", async () => {
    for (const path of PATHS) {
      const headers = { host: "evil.example", "x-forwarded-host": "evil.example" };
      const spoofed = `https://evil.example/base${path}`;
      expectHtuRefused(await callWithProof(api.url, path, spoofed, headers), spoofed);
      const real = `https://api.example.com/base${path}`;
      expectAccepted(await callWithProof(api.url, path, real, headers), real);
    }
  });
});
