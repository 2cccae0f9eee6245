import { startLocalIssuer } from "@repo/issuer";
import { decodeJwt } from "jose";
import { createDpopKey, type DpopKey } from "./dpop-proofs.ts";
import { BENCH_HOST } from "./subject-process.ts";

/** What requests carry, tokens signed as the token endpoint signs them. */
export interface BenchCredentials {
  /** The one Bearer token, on every route but the DPoP ones. */
  readonly token: string;
  /** DPoP routes: a token bound to `key` (`cnf.jkt`), and a fresh proof by that key per request. */
  readonly dpop: { readonly token: string; readonly key: DpopKey };
  /** Both tokens' `sub`. */
  readonly sub: string;
}

export type BenchIssuer = Awaited<ReturnType<typeof startBenchIssuer>>;

/**
 * The local issuer, in this process: it serves the subjects' JWKS fetches (and Express' discovery),
 * never the measured requests of any subject but Hono, whose middleware fetches the JWKS per request.
 */
export async function startBenchIssuer() {
  const issuer = await startLocalIssuer({ host: BENCH_HOST, port: 0 });
  try {
    const token = await issuer.signToken();
    const sub = decodeJwt(token).sub;
    if (sub === undefined) throw new Error("the issuer's token has no sub");
    const key = await createDpopKey();
    const dpop = { key, token: await issuer.signToken({ claims: { cnf: { jkt: key.jkt } } }) };
    return {
      issuer,
      token,
      dpop,
      sub,
      // Every subject's environment (PORT aside): the variables the api's entry point documents.
      subjectEnv: {
        HOST: BENCH_HOST,
        AUTHACTION_ISSUER: issuer.issuer,
        AUTHACTION_AUDIENCE: issuer.audience,
        AUTHACTION_JWKS_URI: issuer.jwksUri,
        // The api: keys fetched before it listens, no .env read, its `listening` line written.
        AUTHACTION_JWKS_WARM: "true",
        NODE_ENV: "test",
        LOG_LEVEL: "info",
        BENCH_TOKEN_SUB: sub,
      },
    };
  } catch (error) {
    await issuer.close();
    throw error;
  }
}

/** The same token with one signature character changed: well formed, but its signature is wrong. */
export function tamperSignature(jwt: string): string {
  const at = jwt.lastIndexOf(".") + 11;
  return `${jwt.slice(0, at)}${jwt[at] === "A" ? "B" : "A"}${jwt.slice(at + 1)}`;
}

/** The same token with a `kid` no JWKS holds: the key lookup fails before any signature check. */
export function withUnknownKid(jwt: string): string {
  const [header = "", ...rest] = jwt.split(".");
  const decoded = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as object;
  const changed = { ...decoded, kid: "bench-unknown-kid" };
  return [Buffer.from(JSON.stringify(changed)).toString("base64url"), ...rest].join(".");
}
