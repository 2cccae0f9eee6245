import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateClientKeyPair } from "@repo/auth/client";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import type { JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningApi } from "./support/issuer-and-api.ts";
import { type IssuerAndApi, startApiFor, startIssuerAndApi } from "./support/issuer-and-api.ts";
import { runMain } from "./support/run-main.ts";

describe("main.ts", () => {
  it("names a missing variable in one line on stderr, exits non-zero, no stack trace", async () => {
    const { code, stdout, stderr } = await runMain({ AUTHACTION_ISSUER: "http://127.0.0.1:9" });
    expect(code).not.toBe(0);
    expect(stdout).toBe("");
    expect(stderr.trimEnd().split("\n")).toEqual([
      "client: configuration error: AUTHACTION_CLIENT_ID: is required: the client ID of your machine-to-machine application",
    ]);
  });

  it("names a malformed API_URL", async () => {
    const { code, stderr } = await runMain({ API_URL: "localhost:3000" });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/^client: configuration error: API_URL: expected .+\n$/);
  });

  it("refuses an API_URL with user:password@ in one line that does not print them", async () => {
    const { code, stdout, stderr } = await runMain({
      API_URL: "http://alice:pa55word@127.0.0.1:9",
      AUTHACTION_ISSUER: "http://127.0.0.1:9",
    });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      /^client: configuration error: API_URL: expected .*without user:password@.*\n$/,
    );
    expect(stderr).not.toMatch(/alice|pa55word/);
  });

  describe("the .env it reads (NODE_ENV not test, DOTENV_PATH replacing the root .env)", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "client-dotenv-"));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("stops with one line naming a DOTENV_PATH that cannot be read", async () => {
      // A directory: reading it fails even for root, unlike a chmod 000 file.
      const { code, stdout, stderr } = await runMain({ NODE_ENV: "production", DOTENV_PATH: dir });
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr).toBe(`client: configuration error: ${dir}: cannot be read (EISDIR)\n`);
    });

    it("stops with one line naming a UTF-16 DOTENV_PATH", async () => {
      const file = join(dir, "utf16.env");
      writeFileSync(file, Buffer.from("\ufeffAUTHACTION_CLIENT_ID=x\n", "utf16le"));
      const { code, stderr } = await runMain({ NODE_ENV: "production", DOTENV_PATH: file });
      expect(code).toBe(1);
      expect(stderr).toBe(`client: configuration error: ${file}: is UTF-16; save it as UTF-8\n`);
    });
  });

  describe("with the real issuer and api", () => {
    let stack: IssuerAndApi | undefined;
    let issuer: LocalIssuer;
    let api: RunningApi;
    beforeAll(async () => {
      stack = await startIssuerAndApi();
      ({ issuer, api } = stack);
    });
    afterAll(async () => {
      await stack?.close();
    });

    it("prints the three results and exits 0", async () => {
      const { code, stdout, stderr } = await runMain({
        API_URL: api.url,
        AUTHACTION_ISSUER: issuer.url,
        AUTHACTION_CLIENT_ID: "demo-client",
        AUTHACTION_CLIENT_SECRET: "demo-secret",
        AUTHACTION_AUDIENCE: issuer.audience,
      });
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toContain('public    -> {"message":"This is a public message!"}\n');
      expect(stdout).toContain('secret    -> {"message":"This is a secret message!"');
      expect(issuer.requestCounts().token).toBe(1);
    });

    it("takes its variables from DOTENV_PATH, a UTF-8 BOM before the first one ignored", async () => {
      const dir = mkdtempSync(join(tmpdir(), "client-dotenv-"));
      try {
        const file = join(dir, "client.env");
        writeFileSync(
          file,
          [
            "\ufeffAUTHACTION_CLIENT_ID=demo-client",
            "AUTHACTION_CLIENT_SECRET=demo-secret",
            `AUTHACTION_AUDIENCE=${issuer.audience}`,
            `AUTHACTION_ISSUER=${issuer.url}`,
            `API_URL=${api.url}`,
            "",
          ].join("\n"),
        );
        const { code, stdout, stderr } = await runMain({
          NODE_ENV: "production",
          DOTENV_PATH: file,
        });
        expect(stderr).toBe("");
        expect(code).toBe(0);
        expect(stdout).toContain('protected -> {"message":"This is a protected message!"');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
  describe("with private_key_jwt and DPoP against the real issuer and api", () => {
    let issuer: LocalIssuer;
    let api: RunningApi | undefined;
    let privateJwk: JWK;
    beforeAll(async () => {
      const pair = await generateClientKeyPair("ES256");
      privateJwk = pair.privateJwk;
      issuer = await startLocalIssuer({
        clients: [
          {
            clientId: "key-client",
            publicJwk: pair.publicJwk,
            scopes: ["read:public", "read:secret", "read:messages", "write:messages"],
          },
        ],
      });
      api = await startApiFor(issuer);
    });
    afterAll(async () => {
      await api?.close();
      await issuer?.close();
    });

    it("obtains a DPoP-bound token with its key, no secret, calls the api and never prints the key", async () => {
      const { code, stdout, stderr } = await runMain(keyClientEnv(api!.url, issuer, privateJwk));
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toMatch(
        /^token {5}-> obtained, DPoP-bound \(a proof with every call\), expires /,
      );
      // The bound token goes out with the DPoP scheme and a proof, which the api checks.
      expect(stdout).toContain('secret    -> {"message":"This is a secret message!"');
      expect(stdout).toContain(
        'onMessage -> {"id":"1","text":"hello 1 of 3","sub":"key-client@clients"}',
      );
      expect(`${stdout}${stderr}`).not.toContain(String(privateJwk.d));
    });

    it("names AUTHACTION_CLIENT_PRIVATE_KEY in one line when the key is not one, never echoing it", async () => {
      const { code, stdout, stderr } = await runMain({
        API_URL: api!.url,
        AUTHACTION_ISSUER: issuer.url,
        AUTHACTION_CLIENT_ID: "key-client",
        AUTHACTION_CLIENT_AUTH_METHOD: "private_key_jwt",
        AUTHACTION_CLIENT_PRIVATE_KEY: "p4ssw0rd-not-a-key",
        AUTHACTION_AUDIENCE: issuer.audience,
      });
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr).toBe(
        "client: configuration error: AUTHACTION_CLIENT_PRIVATE_KEY: is neither a private JWK (JSON) nor a PEM private key\n",
      );
    });
  });
  describe("against the api with AUTHACTION_DPOP=required and server nonces", () => {
    let issuer: LocalIssuer;
    let api: RunningApi | undefined;
    let privateJwk: JWK;
    beforeAll(async () => {
      const pair = await generateClientKeyPair("ES256");
      privateJwk = pair.privateJwk;
      const scopes = ["read:public", "read:secret", "read:messages", "write:messages"];
      issuer = await startLocalIssuer({
        clients: [
          { clientId: "key-client", publicJwk: pair.publicJwk, scopes },
          { clientId: "demo-client", clientSecret: "demo-secret", scopes },
        ],
      });
      api = await startApiFor(issuer, {
        AUTHACTION_DPOP: "required",
        AUTHACTION_DPOP_NONCE: "true",
      });
    });
    afterAll(async () => {
      await api?.close();
      await issuer?.close();
    });

    it("with private_key_jwt and DPoP, answers the nonce challenge and gets every call and the stream through", async () => {
      const { code, stdout, stderr } = await runMain(keyClientEnv(api!.url, issuer, privateJwk));
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toContain(
        'protected -> {"message":"This is a protected message!","sub":"key-client@clients"}',
      );
      expect(stdout).toContain(
        'secret    -> {"message":"This is a secret message!","sub":"key-client@clients"}',
      );
      expect(stdout).toMatch(
        /onMessage -> \{"id":"\d+","text":"hello 3 of 3","sub":"key-client@clients"\}/,
      );
      // One token: the nonce challenges were answered with new proofs, not new tokens.
      expect(issuer.requestCounts().token).toBe(1);
    });

    it("with a secret and a bearer token, is refused by the api in one line, exit 1", async () => {
      const { code, stdout, stderr } = await runMain({
        API_URL: api!.url,
        AUTHACTION_ISSUER: issuer.url,
        AUTHACTION_CLIENT_ID: "demo-client",
        AUTHACTION_CLIENT_SECRET: "demo-secret",
        AUTHACTION_AUDIENCE: issuer.audience,
      });
      expect(code).toBe(1);
      expect(stdout).toContain('public    -> {"message":"This is a public message!"}');
      expect(stdout).not.toContain("protected ->");
      expect(stderr).toBe(
        "client: API refused the token: 401 invalid_token (dpop_required: This api accepts DPoP-bound tokens only)\n",
      );
    });
  });
});

/** The client as `key-client`: private_key_jwt with `privateJwk`, DPoP on. */
function keyClientEnv(apiUrl: string, issuer: LocalIssuer, privateJwk: JWK) {
  return {
    API_URL: apiUrl,
    AUTHACTION_ISSUER: issuer.url,
    AUTHACTION_CLIENT_ID: "key-client",
    AUTHACTION_CLIENT_AUTH_METHOD: "private_key_jwt",
    AUTHACTION_CLIENT_PRIVATE_KEY: JSON.stringify(privateJwk),
    AUTHACTION_DPOP: "true",
    AUTHACTION_AUDIENCE: issuer.audience,
  };
}
