import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ClientConfig } from "../src/client-config.ts";
import { runClient } from "../src/run-client.ts";
import { type RunningApi, startApiFor } from "./support/issuer-and-api.ts";

// The real local issuer and the real api on ephemeral ports. The issuer also mints for a second
// audience the api does not accept, so the api can be made to refuse a valid token.

const OTHER_AUDIENCE = "https://other-api.example.com";
let issuer: LocalIssuer;
let api: RunningApi;

beforeAll(async () => {
  issuer = await startLocalIssuer({ audiences: ["https://api.example.com", OTHER_AUDIENCE] });
  api = await startApiFor(issuer);
});
afterAll(async () => {
  await api?.close();
  await issuer?.close();
});
beforeEach(() => issuer.resetRequestCounts());

function config(
  overrides: Partial<ClientConfig["credentials"]> = {},
  apiUrl = api.url,
): ClientConfig {
  return {
    apiUrl,
    credentials: {
      tokenUrl: issuer.tokenUrl,
      clientId: "demo-client",
      clientSecret: "demo-secret",
      audience: issuer.audience,
      retry: { baseDelayMs: 1, maxDelayMs: 10 },
      ...overrides,
    },
  };
}

async function run(clientConfig: ClientConfig) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runClient(clientConfig, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  const all = [...out, ...err].join("\n");
  expect(all).not.toContain(clientConfig.credentials.clientSecret);
  expect(all).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // no JWT
  expect(all).not.toMatch(/^\s+at /m); // no stack trace
  return { code, out, err };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("runClient against the real issuer and api", () => {
  it("prints every result and exits 0 with one token request", async () => {
    const { code, out, err } = await run(config());
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out[0]).toMatch(/^token {5}-> obtained, expires \d{4}-\d\d-\d\dT/);
    expect(out.slice(1)).toEqual([
      'public    -> {"message":"This is a public message!"}',
      'protected -> {"message":"This is a protected message!","sub":"demo-client@clients"}',
      'secret    -> {"message":"This is a secret message!","sub":"demo-client@clients"}',
      'posted    -> {"id":"1","text":"hello 1 of 3"}',
      'posted    -> {"id":"2","text":"hello 2 of 3"}',
      'posted    -> {"id":"3","text":"hello 3 of 3"}',
      'onMessage -> {"id":"1","text":"hello 1 of 3","sub":"demo-client@clients"}',
      'onMessage -> {"id":"2","text":"hello 2 of 3","sub":"demo-client@clients"}',
      'onMessage -> {"id":"3","text":"hello 3 of 3","sub":"demo-client@clients"}',
    ]);
    expect(issuer.requestCounts().token).toBe(1);
  });

  it("prints a scope refusal as the secret call's result and still exits 0", async () => {
    const { code, out, err } = await run(
      config({ clientId: "limited-client", clientSecret: "limited-secret" }),
    );
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out.slice(1, 3)).toEqual([
      'public    -> {"message":"This is a public message!"}',
      'protected -> {"message":"This is a protected message!","sub":"limited-client@clients"}',
    ]);
    expect(out[3]).toMatch(
      /^secret {4}-> API refused the call: 403 insufficient_scope \(.*read:secret.*\)$/,
    );
    // The stream and the post are refused for scope before anything streams, like a query.
    expect(out.slice(4)).toEqual([
      expect.stringMatching(
        /^onMessage -> API refused the call: 403 insufficient_scope \(.*read:messages.*\)$/,
      ),
      expect.stringMatching(
        /^posted {4}-> API refused the call: 403 insufficient_scope \(.*write:messages.*\)$/,
      ),
    ]);
  });

  it("names the OAuth error when the token endpoint refuses the credentials, exit 1", async () => {
    const { code, out, err } = await run(config({ clientSecret: "not-the-secret" }));
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([
      "token endpoint refused the request: invalid_client (unknown client or wrong secret)",
    ]);
    expect(issuer.requestCounts().token).toBe(1);
  });

  it("names the token URL when the token endpoint is unreachable, exit 1", async () => {
    const tokenUrl = `http://127.0.0.1:${await closedPort()}/oauth2/m2m/token`;
    const { code, err } = await run(
      config({ tokenUrl, retry: { maxAttempts: 2, baseDelayMs: 1 } }),
    );
    expect(code).toBe(1);
    expect(err).toEqual([`token endpoint ${tokenUrl} unreachable: ECONNREFUSED (2 attempts)`]);
  });

  it("names the api URL when the api is unreachable, in one line, exit 1", async () => {
    const apiUrl = `http://127.0.0.1:${await closedPort()}`;
    const { code, out, err } = await run(config({}, apiUrl));
    expect(code).toBe(1);
    expect(out).toHaveLength(1); // the token line
    expect(err).toEqual([`API ${apiUrl}/trpc unreachable: ECONNREFUSED`]);
  });

  it("says so when API_URL points at something that is not the tRPC api, exit 1", async () => {
    const web = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>hello</html>");
    });
    await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
    try {
      const apiUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
      const { code, err } = await run(config({}, apiUrl));
      expect(code).toBe(1);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(
        new RegExp(`^API ${apiUrl}/trpc did not answer like a tRPC api \\(.*\\); check API_URL$`),
      );
    } finally {
      await new Promise((resolve) => web.close(resolve));
    }
  });

  it("reports the status and reason when the api refuses the token, after one retry, exit 1", async () => {
    const { code, out, err } = await run(config({ audience: OTHER_AUDIENCE }));
    expect(code).toBe(1);
    expect(out[1]).toBe('public    -> {"message":"This is a public message!"}');
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^API refused the token: 401 invalid_token \(wrong_audience: .+\)$/);
    // The first token, then one refresh after the 401s: no loop.
    expect(issuer.requestCounts().token).toBe(2);
  });
});
