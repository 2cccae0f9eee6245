/** The api's answers (its router); every subject must give the same JSON on the routes it serves. */
export const PUBLIC_MESSAGE = "This is a public message!";
export const PROTECTED_MESSAGE = "This is a protected message!";

/** One route a subject is loaded on: GET, with a benchmark token on every request. */
export interface BenchRoute {
  readonly path: string;
  /** tRPC answers wrap the data in `{ result: { data } }`; REST answers are the data. */
  readonly kind: "trpc" | "rest";
  /** A protected route must refuse a missing or bad token (checked before any load). */
  readonly access: "public" | "protected";
  /** Sent with the bound token as `DPoP`, each request with a proof of its own (RFC 9449 §7). */
  readonly dpop?: true;
}

export const ROUTES = {
  trpcPublic: { path: "/trpc/public", kind: "trpc", access: "public" },
  trpcProtected: { path: "/trpc/protected", kind: "trpc", access: "protected" },
  restPublic: { path: "/public", kind: "rest", access: "public" },
  restProtected: { path: "/protected", kind: "rest", access: "protected" },
  restDpop: { path: "/protected", kind: "rest", access: "protected", dpop: true },
} as const satisfies Record<string, BenchRoute>;

/** How tables name a route: its path, marked when it is sent with DPoP. */
export const routeName = (route: BenchRoute): string =>
  route.dpop ? `${route.path} (DPoP)` : route.path;

/** The body a route must answer with, as a value to compare structurally. */
export function expectedBody(route: BenchRoute, sub: string): unknown {
  const data =
    route.access === "public" ? { message: PUBLIC_MESSAGE } : { message: PROTECTED_MESSAGE, sub };
  return route.kind === "trpc" ? { result: { data } } : data;
}
