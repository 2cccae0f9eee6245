import { Buffer } from "node:buffer";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import { AuthError, createClientCredentialsTokenSource } from "../src/client.ts";

// The token source's own errors, before any app prints them: a server echoing the client secret
// in its reason phrase, Location or error_description gets it redacted in every encoding.

const SECRET = 'my "s3cr3t"/value+1';
const form = new URLSearchParams({ s: SECRET }).toString().slice(2);
const ECHOES = [
  SECRET,
  JSON.stringify(SECRET).slice(1, -1),
  encodeURIComponent(SECRET),
  form,
  `Basic ${Buffer.from(`my-client:${form}`).toString("base64")}`,
];
const ECHO_TEXT = ECHOES.join(" | ");

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function failureAgainst(answer: (res: ServerResponse) => void): Promise<AuthError> {
  const server = createServer((req, res) => {
    req.resume().on("end", () => answer(res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const { port } = server.address() as AddressInfo;
  const error = await createClientCredentialsTokenSource({
    tokenUrl: `http://127.0.0.1:${port}/oauth2/m2m/token`,
    clientId: "my-client",
    clientSecret: SECRET,
    audience: "https://api.example.com",
  })
    .getToken()
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthError);
  const message = (error as AuthError).message;
  for (const echo of ECHOES) expect(message).not.toContain(echo);
  expect(message).not.toMatch(/s3cr3t/i);
  expect(message).toContain("[redacted]");
  return error as AuthError;
}

it("redacts the secret from a refusal's reason phrase", async () => {
  const error = await failureAgainst((res) => res.writeHead(401, `No ${ECHO_TEXT}`).end("no"));
  expect(error.code).toBe("token_request_refused");
  expect(error.message).toMatch(/^token endpoint refused the request: 401 No \[redacted\]/);
});

it("redacts the secret from an unexpected status's reason phrase and a redirect's Location", async () => {
  const teapot = await failureAgainst((res) => res.writeHead(418, `Tea ${ECHO_TEXT}`).end());
  expect(teapot.code).toBe("token_endpoint_unavailable");
  const redirect = await failureAgainst((res) =>
    res
      .writeHead(302, { location: `https://elsewhere.example/?c=${encodeURIComponent(SECRET)}` })
      .end(),
  );
  expect(redirect.message).toContain("to https://elsewhere.example/?c=[redacted]");
});

it("redacts the secret from error_description in every encoding", async () => {
  const error = await failureAgainst((res) =>
    res
      .writeHead(400, { "content-type": "application/json" })
      .end(JSON.stringify({ error: "invalid_client", error_description: `bad ${ECHO_TEXT}` })),
  );
  expect(error.oauthError).toBe("invalid_client");
});
