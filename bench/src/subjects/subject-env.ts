/**
 * What every peer subject reads: the same variables the api's entry point reads (PORT, HOST and the
 * issuer's AUTHACTION_*), so that one environment starts any subject, and the benchmark token's
 * `sub` for the ceiling's canned answer.
 */
import { exitOnConfigurationError, intVar, parseEnv, urlVar } from "@repo/env";
import { z } from "zod";

export interface SubjectEnv {
  readonly port: number;
  readonly host: string;
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUri: string;
  readonly tokenSub: string;
}

const subjectEnvShape = {
  PORT: intVar("a TCP port", { min: 0, max: 65_535 }),
  HOST: z.string().min(1).describe("the interface to listen on"),
  AUTHACTION_ISSUER: urlVar("the issuer URL the tokens carry"),
  AUTHACTION_AUDIENCE: z.string().min(1).describe("the audience the tokens carry"),
  AUTHACTION_JWKS_URI: urlVar("the issuer's JWKS URL"),
  BENCH_TOKEN_SUB: z.string().min(1).describe("the benchmark token's sub"),
};

/** The subject's configuration; a missing or malformed variable ends it with one line naming it. */
export function readSubjectEnv(env: NodeJS.ProcessEnv = process.env): SubjectEnv {
  const vars = exitOnConfigurationError("subject", () => parseEnv(subjectEnvShape, env));
  return {
    port: vars.PORT,
    host: vars.HOST,
    issuer: vars.AUTHACTION_ISSUER,
    audience: vars.AUTHACTION_AUDIENCE,
    jwksUri: vars.AUTHACTION_JWKS_URI,
    tokenSub: vars.BENCH_TOKEN_SUB,
  };
}
