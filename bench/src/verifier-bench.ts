import { createAccessTokenVerifier } from "@repo/auth/server";
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";
import { median } from "./median.ts";

export interface VerifierCandidate {
  readonly id: "verifier-cached" | "verifier-uncached" | "raw-jwtverify";
  readonly label: string;
  /** Verifications per second, median over the rounds. */
  readonly opsPerSec: number;
  readonly rounds: readonly number[];
}

export interface VerifierBenchOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUri: string;
  /** The benchmark token (the cached candidate verifies only this one: a hit every time). */
  readonly token: string;
  /** Distinct valid tokens the uncached candidates cycle through. */
  readonly distinctTokens: readonly string[];
  readonly durationS: number;
  readonly rounds: number;
  /** Verifications in flight at once (RSA runs on the thread pool). Default 16. */
  readonly concurrency?: number;
}

/**
 * The verifier alone, in this process: createAccessTokenVerifier().verify with its cache (same
 * token), without it (`cache: false`, distinct tokens), and jose's jwtVerify with a local JWKS as the
 * floor of what any verification costs. Interleaved rounds of equal duration; medians.
 */
export async function runVerifierBench(
  options: VerifierBenchOptions,
): Promise<VerifierCandidate[]> {
  const base = { issuer: options.issuer, audience: options.audience, jwksUri: options.jwksUri };
  const cached = createAccessTokenVerifier(base);
  const uncached = createAccessTokenVerifier({ ...base, cache: false });
  for (const verifier of [cached, uncached]) {
    if (!(await verifier.keySet.warm())) throw new Error("verifier bench: key set did not load");
  }
  const jwks = (await (await fetch(options.jwksUri)).json()) as JSONWebKeySet;
  const localKeySet = createLocalJWKSet(jwks);
  const rawOptions = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms: ["RS256"],
    requiredClaims: ["exp", "sub"],
  };
  const tokens = options.distinctTokens;
  if (tokens.length === 0) throw new Error("verifier bench: no distinct tokens");
  const pick = (i: number) => tokens[i % tokens.length] as string;

  const candidates = [
    {
      id: "verifier-cached",
      label: "createAccessTokenVerifier, cache hit (same token)",
      run: () => cached.verify(options.token),
    },
    {
      id: "verifier-uncached",
      label: "createAccessTokenVerifier, cache: false (distinct tokens)",
      run: (i: number) => uncached.verify(pick(i)),
    },
    {
      id: "raw-jwtverify",
      label: "jose jwtVerify + createLocalJWKSet (distinct tokens)",
      run: (i: number) => jwtVerify(pick(i), localKeySet, rawOptions),
    },
  ] as const;

  for (const candidate of candidates) await measure(candidate.run, 0.3, options.concurrency);
  const samples = new Map<string, number[]>();
  for (let round = 0; round < options.rounds; round++) {
    for (let i = 0; i < candidates.length; i++) {
      const candidate = candidates[(round + i) % candidates.length] as (typeof candidates)[number];
      const ops = await measure(candidate.run, options.durationS, options.concurrency);
      samples.set(candidate.id, [...(samples.get(candidate.id) ?? []), ops]);
    }
  }
  return candidates.map((candidate) => {
    const rounds = samples.get(candidate.id) ?? [];
    return { id: candidate.id, label: candidate.label, opsPerSec: median(rounds), rounds };
  });
}

async function measure(
  run: (i: number) => Promise<unknown>,
  durationS: number,
  concurrency = 16,
): Promise<number> {
  const start = performance.now();
  const end = start + durationS * 1000;
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (performance.now() < end) {
      await run(next++);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / ((performance.now() - start) / 1000);
}
