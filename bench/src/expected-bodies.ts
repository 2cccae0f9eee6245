/** The api's answers (apps/api/src/router.ts); every subject must give the same JSON. */
export const PUBLIC_MESSAGE = "This is a public message!";
export const PROTECTED_MESSAGE = "This is a protected message!";

export type RouteKind = "trpc" | "rest";

/** The body a route must answer with, as a value to compare structurally. */
export function expectedBody(
  kind: RouteKind,
  access: "public" | "protected",
  sub: string,
): unknown {
  const data =
    access === "public" ? { message: PUBLIC_MESSAGE } : { message: PROTECTED_MESSAGE, sub };
  return kind === "trpc" ? { result: { data } } : data;
}
