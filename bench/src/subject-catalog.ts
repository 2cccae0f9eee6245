import type { RouteKind } from "./expected-bodies.ts";

export interface BenchRoute {
  readonly path: "/trpc/public" | "/trpc/protected" | "/public" | "/protected";
  readonly kind: RouteKind;
  readonly access: "public" | "protected";
}

export const ROUTES = {
  trpcPublic: { path: "/trpc/public", kind: "trpc", access: "public" },
  trpcProtected: { path: "/trpc/protected", kind: "trpc", access: "protected" },
  restPublic: { path: "/public", kind: "rest", access: "public" },
  restProtected: { path: "/protected", kind: "rest", access: "protected" },
} as const satisfies Record<string, BenchRoute>;

export type SubjectId =
  | "api"
  | "bare-http"
  | "fastify-tuned"
  | "fastify-documented"
  | "hono-jwk"
  | "express-peer"
  | "naive-trpc";

export interface SubjectSpec {
  readonly id: SubjectId;
  /** How tables and the chart name it. */
  readonly label: string;
  /** The module run in the child process, relative to src/subjects/. */
  readonly module: string;
  readonly routes: readonly BenchRoute[];
  /** Whether its protected routes check the token (the ceiling's do not). */
  readonly checksTokens: boolean;
  /**
   * The status a protected route answers to a token whose kid the JWKS does not hold; 401 unless
   * the setup as documented answers otherwise (checked before load, like every refusal).
   */
  readonly unknownKidStatus?: number;
}

const ALL_ROUTES = [
  ROUTES.trpcPublic,
  ROUTES.trpcProtected,
  ROUTES.restPublic,
  ROUTES.restProtected,
] as const;

/** The subjects, in the order tables list them. */
export const SUBJECTS: readonly SubjectSpec[] = [
  { id: "api", label: "this api", module: "api.ts", routes: ALL_ROUTES, checksTokens: true },
  {
    id: "bare-http",
    label: "bare node:http (ceiling, no auth)",
    module: "bare-http.ts",
    routes: ALL_ROUTES,
    checksTokens: false,
  },
  {
    id: "fastify-tuned",
    label: "Fastify 5 + @fastify/jwt (cache) + get-jwks, tuned",
    module: "fastify-tuned.ts",
    routes: [ROUTES.restPublic, ROUTES.restProtected],
    checksTokens: true,
  },
  {
    id: "fastify-documented",
    label: "Fastify 5 + @fastify/jwt + get-jwks, as documented",
    module: "fastify-documented.ts",
    routes: [ROUTES.restPublic, ROUTES.restProtected],
    checksTokens: true,
    // get-jwks' JWK_NOT_FOUND carries no HTTP status, so Fastify's error handler answers 500.
    unknownKidStatus: 500,
  },
  {
    id: "hono-jwk",
    label: "Hono 4 + hono/jwk (JWKS fetched per request)",
    module: "hono-jwk.ts",
    routes: [ROUTES.restPublic, ROUTES.restProtected],
    checksTokens: true,
  },
  {
    id: "express-peer",
    label: "Express 5 + express-oauth2-jwt-bearer",
    module: "express-peer.ts",
    routes: [ROUTES.restPublic, ROUTES.restProtected],
    checksTokens: true,
  },
  {
    id: "naive-trpc",
    label: "naive tRPC (jwtVerify per request)",
    module: "naive-trpc.ts",
    routes: [ROUTES.trpcPublic, ROUTES.trpcProtected],
    checksTokens: true,
  },
];

export function subjectSpec(id: SubjectId): SubjectSpec {
  const spec = SUBJECTS.find((subject) => subject.id === id);
  if (spec === undefined) throw new Error(`unknown subject ${id}`);
  return spec;
}
