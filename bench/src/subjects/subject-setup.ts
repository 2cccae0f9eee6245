/**
 * What every peer subject shares: the api's variables (PORT, HOST, the issuer's AUTHACTION_*), so
 * one environment starts any subject, the token's `sub` for the ceiling, and the api's listening line.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exitOnConfigurationError, intVar, parseEnv, urlVar } from "@repo/env";
import { z } from "zod";

export type SubjectEnv = ReturnType<typeof readSubjectEnv>;

const subjectEnvShape = {
  PORT: intVar("a TCP port", { min: 0, max: 65_535 }),
  HOST: z.string().min(1).describe("the interface to listen on"),
  AUTHACTION_ISSUER: urlVar("the issuer URL the tokens carry"),
  AUTHACTION_AUDIENCE: z.string().min(1).describe("the audience the tokens carry"),
  AUTHACTION_JWKS_URI: urlVar("the issuer's JWKS URL"),
  BENCH_TOKEN_SUB: z.string().min(1).describe("the benchmark token's sub"),
};

/** The subject's configuration; a missing or malformed variable ends it with one line naming it. */
export function readSubjectEnv(env: NodeJS.ProcessEnv = process.env) {
  const vars = exitOnConfigurationError("subject", () => parseEnv(subjectEnvShape, env));
  return {
    port: vars.PORT,
    host: vars.HOST,
    issuer: vars.AUTHACTION_ISSUER,
    audience: vars.AUTHACTION_AUDIENCE,
    jwksUri: vars.AUTHACTION_JWKS_URI,
    tokenSub: vars.BENCH_TOKEN_SUB,
  } as const;
}

/** Listen where the environment says (PORT 0: a port the OS picks), then print the api's line. */
export function listenAndAnnounce(server: Server, env: SubjectEnv): void {
  server.listen(env.port, env.host, () => {
    const { port } = server.address() as AddressInfo;
    console.log(JSON.stringify({ event: "listening", url: `http://${env.host}:${port}` }));
  });
}
