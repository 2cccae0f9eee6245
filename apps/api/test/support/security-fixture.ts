import { KeyObject, randomUUID } from "node:crypto";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import type { JWK } from "jose";
import { craftToken, type SigningAlg, type TestKeyPair, testKeyPair } from "./craft-token.ts";
import { type KeyServer, startKeyServer } from "./start-stack.ts";

/**
 * Everything the security table needs: the real local issuer, a second "tenant" whose JWKS
 * publishes keys a verifier must ignore, an attacker's keys, and a trap server that `jku`/`x5u`
 * headers point at. The apis under test are configured from environment variables only
 * (`stackEnv`), exactly as `pnpm --filter @repo/api start` is, so the same table runs in-process
 * and against the real entry point.
 */
export type StackKind = "default" | "tenant" | "at+jwt";

/** Domain-derived issuer: both AuthAction spellings are accepted, nothing else. */
export const TENANT_DOMAIN = "tenant.example.com";
export const TENANT_ISSUER = `https://${TENANT_DOMAIN}`;
export const TENANT_AUDIENCES = ["https://api.example.com", "https://reports.example.com"];
export const TENANT_ALGORITHMS = "RS256,PS256,ES256,EdDSA";

export interface TenantKeys {
  /** Usable: RSA 2048, `use: sig`, no `alg` (so RS256 and PS256 both fit). */
  readonly rsa: TestKeyPair;
  /** Usable: P-256, `alg: ES256`. */
  readonly ec: TestKeyPair;
  /** Usable: Ed25519. */
  readonly ed: TestKeyPair;
  /** Published with `use: enc`: must be ignored for signatures. */
  readonly encryption: TestKeyPair;
  /** Published with `key_ops: ["sign"]` (no verify): must be ignored. */
  readonly signOnly: TestKeyPair;
  /** Published with `alg: RS512`: must not verify an RS256 token. */
  readonly rs512Only: TestKeyPair;
  /** RSA 1024: under the RFC 8725 §3.5 minimum, must be ignored. */
  readonly weak: TestKeyPair;
  /** Published with its private part (`d`): a broken set member, must be ignored. */
  readonly leaked: TestKeyPair;
  /** A symmetric key published in the set: never usable (`kty: oct`). */
  readonly octSecret: Uint8Array;
}

export interface Fixture {
  readonly issuer: LocalIssuer;
  /** The issuer's signing key as a node KeyObject (for crafting tokens the issuer would not). */
  readonly issuerKey: KeyObject;
  readonly issuerKid: string;
  readonly issuerJwk: JWK & { kid: string };
  readonly tenant: KeyServer;
  readonly tenantKeys: TenantKeys;
  /** Serves the attacker's JWKS; every token header URL points here. Its hit count must stay 0. */
  readonly trap: KeyServer;
  readonly attacker: {
    readonly rsa: TestKeyPair;
    readonly ec: TestKeyPair;
    readonly ed: TestKeyPair;
  };
  close(): Promise<void>;
}

export async function createFixture(): Promise<Fixture> {
  const issuer = await startLocalIssuer();
  const pair = issuer.keyPair();
  const tenantKeys: TenantKeys = {
    rsa: testKeyPair("RSA", "tenant-rsa"),
    ec: testKeyPair("EC-P256", "tenant-ec"),
    ed: testKeyPair("Ed25519", "tenant-ed"),
    encryption: testKeyPair("RSA", "tenant-enc"),
    signOnly: testKeyPair("RSA", "tenant-sign-only"),
    rs512Only: testKeyPair("RSA", "tenant-rs512"),
    weak: testKeyPair("RSA-1024", "tenant-rsa-1024"),
    leaked: testKeyPair("RSA", "tenant-leaked"),
    octSecret: new Uint8Array(Buffer.from("a-shared-secret-that-is-32-bytes!")),
  };
  const t = tenantKeys;
  const tenant = await startKeyServer([
    { ...t.rsa.publicJwk, use: "sig" },
    { ...t.ec.publicJwk, use: "sig", alg: "ES256" },
    { ...t.ed.publicJwk, use: "sig" },
    { ...t.encryption.publicJwk, use: "enc" },
    { ...t.signOnly.publicJwk, key_ops: ["sign"] },
    { ...t.rs512Only.publicJwk, alg: "RS512" },
    { ...t.weak.publicJwk, use: "sig" },
    { ...(t.leaked.privateKey.export({ format: "jwk" }) as JWK), kid: t.leaked.kid, use: "sig" },
    { kty: "oct", kid: "tenant-oct", k: Buffer.from(t.octSecret).toString("base64url") },
  ]);
  const attacker = {
    rsa: testKeyPair("RSA", "attacker-rsa"),
    ec: testKeyPair("EC-P256", "attacker-ec"),
    ed: testKeyPair("Ed25519", "attacker-ed"),
  };
  const trap = await startKeyServer([attacker.rsa.publicJwk, attacker.ec.publicJwk]);
  return {
    issuer,
    issuerKey: KeyObject.from(pair.privateKey as unknown as Parameters<typeof KeyObject.from>[0]),
    issuerKid: pair.kid,
    issuerJwk: pair.publicJwk,
    tenant,
    tenantKeys,
    trap,
    attacker,
    async close() {
      await Promise.all([issuer.close(), tenant.close(), trap.close()]);
    },
  };
}

/** The api's environment for a stack: what an operator would put in `.env`. */
export function stackEnv(kind: StackKind, f: Fixture): Record<string, string> {
  // Every row checks its own refusal line: no per-reason limit (refusal-rate-limit.test.ts tests it).
  const logEveryRefusal = { API_LOG_REFUSALS_PER_MINUTE: "1000000" };
  if (kind === "tenant") {
    return {
      ...logEveryRefusal,
      AUTHACTION_DOMAIN: TENANT_DOMAIN,
      AUTHACTION_JWKS_URI: f.tenant.jwksUri,
      AUTHACTION_AUDIENCE: TENANT_AUDIENCES.join(","),
      AUTHACTION_ALGORITHMS: TENANT_ALGORITHMS,
    };
  }
  return {
    ...logEveryRefusal,
    AUTHACTION_ISSUER: f.issuer.issuer,
    AUTHACTION_AUDIENCE: f.issuer.audience,
    ...(kind === "at+jwt" ? { AUTHACTION_REQUIRE_AT_JWT: "true" } : {}),
  };
}

export const SUBJECT = "demo-client@clients";
export const CLIENT_ID = "demo-client";

/** Valid claims for a stack, one hour of life, with overrides (undefined deletes a claim). */
export function claims(
  kind: StackKind,
  f: Fixture,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const base: Record<string, unknown> = {
    iss: kind === "tenant" ? TENANT_ISSUER : f.issuer.issuer,
    sub: SUBJECT,
    aud: kind === "tenant" ? TENANT_AUDIENCES[0] : f.issuer.audience,
    iat: now,
    exp: now + 3600,
    scope: "read:public read:secret",
    client_id: CLIENT_ID,
    jti: randomUUID(),
    ...overrides,
  };
  for (const [name, value] of Object.entries(base)) if (value === undefined) delete base[name];
  return base;
}

/** A token signed by the issuer's real key, with header and claim overrides. */
export function issuerSigned(
  f: Fixture,
  options: {
    header?: Record<string, unknown>;
    claims?: Record<string, unknown>;
    kind?: StackKind;
    signAs?: SigningAlg;
  } = {},
): string {
  const header: Record<string, unknown> = {
    alg: "RS256",
    typ: "JWT",
    kid: f.issuerKid,
    ...options.header,
  };
  for (const [name, value] of Object.entries(header)) if (value === undefined) delete header[name];
  return craftToken({
    header,
    payload: claims(options.kind ?? "default", f, options.claims),
    key: f.issuerKey,
    ...(options.signAs === undefined ? {} : { signAs: options.signAs }),
  });
}
