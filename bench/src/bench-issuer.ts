import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { decodeJwt } from "jose";
import { BENCH_HOST } from "./subject-process.ts";

export interface BenchIssuer {
  readonly issuer: LocalIssuer;
  /** The one token every request carries, signed as the token endpoint signs its tokens. */
  readonly token: string;
  readonly sub: string;
  /** Every subject's environment (PORT aside): the variables the api's entry point documents. */
  readonly subjectEnv: Readonly<Record<string, string>>;
}

/**
 * The local issuer, in this process: it serves the subjects' JWKS fetches (and Express' discovery),
 * never the measured requests of any subject but Hono, whose middleware fetches the JWKS per request.
 */
export async function startBenchIssuer(): Promise<BenchIssuer> {
  const issuer = await startLocalIssuer({ host: BENCH_HOST, port: 0 });
  try {
    const token = await issuer.signToken();
    const sub = decodeJwt(token).sub;
    if (sub === undefined) throw new Error("the issuer's token has no sub");
    return {
      issuer,
      token,
      sub,
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
