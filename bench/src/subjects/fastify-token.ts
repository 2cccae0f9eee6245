/** @fastify/jwt's untyped values, typed: the decoded token its `secret` gets, `request.user`. */
import type { TokenOrHeader } from "@fastify/jwt";

export interface TokenParts {
  readonly kid: string | undefined;
  readonly alg: string | undefined;
  readonly iss: string | undefined;
}

export function completeTokenParts(token: TokenOrHeader): TokenParts {
  const header: Record<string, unknown> = "header" in token ? { ...token.header } : { ...token };
  const payload: unknown = "payload" in token ? token.payload : undefined;
  const iss =
    typeof payload === "object" && payload !== null && "iss" in payload ? payload.iss : undefined;
  return {
    kid: typeof header.kid === "string" ? header.kid : undefined,
    alg: typeof header.alg === "string" ? header.alg : undefined,
    iss: typeof iss === "string" ? iss : undefined,
  };
}

export function claimSub(user: unknown): string | undefined {
  if (typeof user !== "object" || user === null || !("sub" in user)) return undefined;
  return typeof user.sub === "string" ? user.sub : undefined;
}
