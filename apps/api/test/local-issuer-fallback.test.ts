import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApi } from "./support/build-api.ts";
import {
  type EntryPointLaunch,
  type KeyServer,
  runEntryPoint,
  type SpawnedApi,
  spawnApi,
  startKeyServer,
} from "./support/start-stack.ts";

const apiDir = fileURLToPath(new URL("..", import.meta.url));
// An empty .env, so that a developer's own .env cannot configure a tenant behind the test's back.
const envDir = mkdtempSync(join(tmpdir(), "api-fallback-"));
const emptyDotEnv = join(envDir, ".env");
writeFileSync(emptyDotEnv, "");

/**
 * What any local process can do: listen on the port the fallback looks at, serve a JWKS of its own
 * key, and mint tokens with every scope for the local issuer's audience. It counts the requests it
 * gets, so a test can prove the api never asked it anything.
 */
interface FakeIssuer {
  readonly port: string;
  readonly keys: KeyServer;
  token(): Promise<string>;
}

async function startFakeIssuer(): Promise<FakeIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "fake", alg: "RS256", use: "sig" };
  const keys = await startKeyServer([jwk]);
  const port = new URL(keys.url).port;
  return {
    port,
    keys,
    token: () =>
      new SignJWT({ scope: "read:public read:secret read:messages write:messages" })
        .setProtectedHeader({ alg: "RS256", kid: "fake" })
        .setIssuer(`http://localhost:${port}`)
        .setAudience("https://api.example.com")
        .setSubject("attacker@clients")
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(privateKey),
  };
}

const REFUSED_MODES: [string, string | undefined][] = [
  ["unset", undefined],
  ["production", "production"],
  ["Production", "Production"],
  ["staging", "staging"],
  ["prod", "prod"],
];

describe("with no tenant configured", () => {
  let issuer: LocalIssuer;
  let fake: FakeIssuer;
  let api: SpawnedApi | undefined;
  // Inside the package, so that its npm dependencies resolve as they do for dist/; not dist/
  // itself, which a concurrent `pnpm build` may be cleaning.
  const cache = join(apiDir, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const outDir = mkdtempSync(join(cache, "built-api-"));
  const built: EntryPointLaunch = {
    args: ["--enable-source-maps", join(outDir, "main.js")],
    cwd: apiDir,
  };
  beforeAll(async () => {
    [issuer, fake] = await Promise.all([startLocalIssuer(), startFakeIssuer(), buildApi(outDir)]);
  });
  afterAll(async () => {
    await api?.close();
    await Promise.all([issuer?.close(), fake?.keys.close()]);
    rmSync(envDir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  });

  it("in development mode (NODE_ENV=development, the sources), the real entry point uses the local issuer, says so in one line, and accepts its tokens", async () => {
    // ISSUER_URL is how a developer moves the local issuer off port 9000; tests use it to stay on
    // an ephemeral port. No AUTHACTION_* variable is set.
    api = await spawnApi({
      NODE_ENV: "development",
      DOTENV_PATH: emptyDotEnv,
      ISSUER_URL: issuer.issuer,
    });
    const notices = api.logs.filter((line) => line.event === "local_issuer");
    expect(notices).toHaveLength(1);
    expect(notices[0]?.msg).toBe(
      `no tenant configured (AUTHACTION_DOMAIN and AUTHACTION_ISSUER unset) and NODE_ENV=development: using the local issuer at ${issuer.issuer} (audience https://api.example.com, client demo-client). Not for production.`,
    );
    // The fallback warms the key set, so the api is ready as soon as it listens.
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(200);

    const token = await issuer.signToken();
    const response = await fetch(`${api.url}/protected`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      message: "This is a protected message!",
      sub: "demo-client@clients",
    });
    expect(api.stderr()).toBe("");
    await api.close();
  });

  it("in development mode, whatever listens on ISSUER_PORT is trusted: the fake issuer's token reads the secret (what every other mode must refuse to start for)", async () => {
    api = await spawnApi({
      NODE_ENV: "development",
      DOTENV_PATH: emptyDotEnv,
      ISSUER_PORT: fake.port,
    });
    const response = await fetch(`${api.url}/trpc/secret`, {
      headers: { authorization: `Bearer ${await fake.token()}` },
    });
    expect(response.status).toBe(200);
    expect(fake.keys.hits()).toBeGreaterThan(0);
    await api.close();
  });

  describe.each([
    ["the sources' entry point", undefined, "NODE_ENV=development uses the local issuer instead"],
    ["the built dist/main.js", built, "a built dist/main.js never uses the local issuer"],
  ])("%s", (_, launch, hint) => {
    it.each(
      launch === undefined
        ? REFUSED_MODES
        : [...REFUSED_MODES, ["development", "development"], ["test", "test"]],
    )(
      "with NODE_ENV %s and the fake issuer on ISSUER_PORT, exits 1 with one line naming AUTHACTION_DOMAIN, never asking the fake anything",
      async (_mode, nodeEnv) => {
        const hitsBefore = fake.keys.hits();
        const { code, stdout, stderr } = await runEntryPoint(
          { NODE_ENV: nodeEnv, DOTENV_PATH: emptyDotEnv, ISSUER_PORT: fake.port, PORT: "0" },
          launch,
        );
        expect(stderr).toBe(
          `api: configuration error: AUTHACTION_DOMAIN: is required (or set AUTHACTION_ISSUER): your tenant's host name, e.g. your-tenant.eu.authaction.com; ${hint}${launch === undefined ? ", for development only" : " (pnpm dev does)"}\n`,
        );
        expect(code).toBe(1);
        expect(stdout).toBe("");
        expect(fake.keys.hits()).toBe(hitsBefore);
      },
    );
  });

  it("with a misspelt tenant variable (AUTHACTION_DOMIAN) in development mode, exits 1 naming it and AUTHACTION_DOMAIN instead of falling back", async () => {
    const hitsBefore = fake.keys.hits();
    const { code, stdout, stderr } = await runEntryPoint({
      NODE_ENV: "development",
      DOTENV_PATH: emptyDotEnv,
      ISSUER_PORT: fake.port,
      AUTHACTION_DOMIAN: "tenant.example.com",
      AUTHACTION_AUDIENCE: "https://api.example.com",
    });
    expect(stderr).toBe(
      "api: configuration error: AUTHACTION_DOMIAN: is not a variable any app reads; did you mean AUTHACTION_DOMAIN?\n",
    );
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(fake.keys.hits()).toBe(hitsBefore);
  });
});
