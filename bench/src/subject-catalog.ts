import { type BenchRoute, ROUTES } from "./routes.ts";

/** One server under load. Adding a subject is adding an entry here (and its file in subjects/). */
export interface SubjectSpec {
  readonly id: string;
  /** How the tables name it. */
  readonly label: string;
  /** How the chart's legend names it. */
  readonly short: string;
  /** The TypeScript entry point, relative to the repository root, run as `node --import tsx`. */
  readonly entry: string;
  readonly routes: readonly BenchRoute[];
  /** Whether its protected routes check the token (the ceiling's do not). */
  readonly checksTokens: boolean;
  /** Its answer to a token whose kid the JWKS does not hold, when not 401 (checked before load). */
  readonly unknownKidStatus?: number;
  /** On a DPoP route, its answer to a request without a proof, and to a proof sent again, when not 401. */
  readonly noProofStatus?: number;
  readonly replayedProofStatus?: number;
}

const BEARER_ROUTES = Object.values(ROUTES).filter((route: BenchRoute) => !route.dpop);
const REST_ROUTES = [ROUTES.restPublic, ROUTES.restProtected];

/** The subjects, in the order tables list them. */
export const SUBJECTS = [
  {
    id: "api",
    label: "this api",
    short: "this api",
    // The deployable's real entry point, as `pnpm --filter @repo/api start` runs it.
    entry: "apps/api/src/main.ts",
    routes: [...BEARER_ROUTES, ROUTES.restDpop],
    checksTokens: true,
  },
  {
    id: "bare-http",
    label: "bare node:http (ceiling, no auth)",
    short: "bare node:http (no auth)",
    entry: "bench/src/subjects/bare-http.ts",
    routes: BEARER_ROUTES,
    checksTokens: false,
  },
  {
    id: "fastify-tuned",
    label: "Fastify 5 + @fastify/jwt (cache) + get-jwks, tuned",
    short: "Fastify + jwt, tuned",
    entry: "bench/src/subjects/fastify-tuned.ts",
    routes: REST_ROUTES,
    checksTokens: true,
  },
  {
    id: "fastify-documented",
    label: "Fastify 5 + @fastify/jwt + get-jwks, as documented",
    short: "Fastify + jwt, as documented",
    entry: "bench/src/subjects/fastify-documented.ts",
    routes: REST_ROUTES,
    checksTokens: true,
    // get-jwks' JWK_NOT_FOUND carries no HTTP status, so Fastify's error handler answers 500.
    unknownKidStatus: 500,
  },
  {
    id: "hono-jwk",
    label: "Hono 4 + hono/jwk (JWKS fetched per request)",
    short: "Hono + hono/jwk",
    entry: "bench/src/subjects/hono-jwk.ts",
    routes: REST_ROUTES,
    checksTokens: true,
  },
  {
    id: "express-peer",
    label: "Express 5 + express-oauth2-jwt-bearer",
    short: "Express + oauth2-jwt-bearer",
    entry: "bench/src/subjects/express-peer.ts",
    routes: [...REST_ROUTES, ROUTES.restDpop],
    checksTokens: true,
    // A DPoP request without a proof is malformed to it (400 invalid_request), and it keeps no
    // record of the proofs it has seen (RFC 9449 §11.1 leaves that to the server): one replayed passes.
    noProofStatus: 400,
    replayedProofStatus: 200,
  },
  {
    id: "naive-trpc",
    label: "naive tRPC (jwtVerify per request)",
    short: "naive tRPC + jwtVerify",
    entry: "bench/src/subjects/naive-trpc.ts",
    routes: [ROUTES.trpcPublic, ROUTES.trpcProtected],
    checksTokens: true,
  },
] as const satisfies readonly SubjectSpec[];

export type SubjectId = (typeof SUBJECTS)[number]["id"];

export function subjectSpec(id: SubjectId): SubjectSpec {
  const spec = SUBJECTS.find((subject) => subject.id === id);
  if (spec === undefined) throw new Error(`unknown subject ${id}`);
  return spec;
}
