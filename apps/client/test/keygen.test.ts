import { parseEnv } from "node:util";
import { createClientCredentialsTokenSource } from "@repo/auth/client";
import { type IssuerClient, startLocalIssuer } from "@repo/issuer";
import { calculateJwkThumbprint, decodeJwt, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { clientConfigFromEnv } from "../src/client-config.ts";
import { runEntry } from "./support/run-main.ts";

// `pnpm --filter @repo/client keygen`, run as a process: its output parses, and the printed
// private key authenticates against an issuer registered with the printed public key.

async function keygen(args: string[] = []) {
  const run = await runEntry("src/keygen.ts", args, {});
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  const variables = parseEnv(run.stdout);
  const publicLine = run.stdout.split("\n").find((line) => line.startsWith("{"));
  return {
    variables,
    privateJwk: JSON.parse(variables.AUTHACTION_CLIENT_PRIVATE_KEY ?? "") as JWK,
    publicJwk: JSON.parse(publicLine ?? "") as JWK,
    issuerClients: JSON.parse(variables.ISSUER_CLIENTS ?? "") as IssuerClient[],
  };
}

describe("keygen", () => {
  it.each([
    [[]],
    [["--alg", "PS256", "--client-id", "ci-bot", "--scopes", "read:public"]],
    [["--alg", "EdDSA"]],
  ])(
    "prints a key pair whose private key authenticates with the local issuer (%j)",
    async (args) => {
      const { variables, privateJwk, publicJwk, issuerClients } = await keygen(args);
      const clientId = variables.AUTHACTION_CLIENT_ID ?? "";
      expect(variables.AUTHACTION_CLIENT_AUTH_METHOD).toBe("private_key_jwt");
      expect(privateJwk.d).toEqual(expect.any(String));
      expect(publicJwk.d).toBeUndefined();
      expect(publicJwk.kid).toBe(await calculateJwkThumbprint(publicJwk));
      expect(privateJwk).toMatchObject({ kid: publicJwk.kid, alg: publicJwk.alg });
      expect(issuerClients).toEqual([{ clientId, publicJwk, scopes: expect.any(Array) }]);

      const issuer = await startLocalIssuer({ clients: issuerClients });
      try {
        const config = clientConfigFromEnv({
          API_URL: "http://127.0.0.1:9",
          AUTHACTION_ISSUER: issuer.url,
          AUTHACTION_AUDIENCE: issuer.audience,
          AUTHACTION_CLIENT_ID: clientId,
          AUTHACTION_CLIENT_AUTH_METHOD: variables.AUTHACTION_CLIENT_AUTH_METHOD,
          AUTHACTION_CLIENT_PRIVATE_KEY: variables.AUTHACTION_CLIENT_PRIVATE_KEY,
        });
        const token = await createClientCredentialsTokenSource(config.credentials).getToken();
        expect(decodeJwt(token)).toMatchObject({
          sub: `${clientId}@clients`,
          scope: issuerClients[0]?.scopes.join(" "),
        });
      } finally {
        await issuer.close();
      }
    },
  );

  it("refuses an algorithm it does not offer (HS256) with its usage, exit 2", async () => {
    const run = await runEntry("src/keygen.ts", ["--alg", "HS256"], {});
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^usage: keygen \[--alg ES256\|/);
  });
});
