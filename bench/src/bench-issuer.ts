import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { fetchAccessToken, tokenSubject } from "./fetch-access-token.ts";
import { BENCH_HOST } from "./subjects/subject-runtime.ts";

export interface BenchIssuer {
  readonly issuer: LocalIssuer;
  /** The one token every protected route gets, from the token endpoint. */
  readonly token: string;
  readonly sub: string;
  /** What a subject process needs to find the issuer (see subjects/subject-runtime.ts). */
  readonly subjectEnv: Readonly<Record<string, string>>;
}

/**
 * The local issuer, in this process: it only serves each subject's first JWKS fetch (and the
 * express peer's discovery), never the measured requests, so it does not compete with the load.
 */
export async function startBenchIssuer(): Promise<BenchIssuer> {
  const issuer = await startLocalIssuer({ host: BENCH_HOST, port: 0 });
  try {
    const token = await fetchAccessToken(issuer.tokenUrl, issuer.audience);
    const sub = tokenSubject(token);
    return {
      issuer,
      token,
      sub,
      subjectEnv: {
        BENCH_ISSUER: issuer.issuer,
        BENCH_AUDIENCE: issuer.audience,
        BENCH_JWKS_URI: issuer.jwksUri,
        BENCH_TOKEN_SUB: sub,
      },
    };
  } catch (error) {
    await issuer.close();
    throw error;
  }
}
