import type { AnyTRPCRouter } from "@trpc/server";
import { middlewareRole } from "./procedures.ts";
import { routerInternals } from "./trpc-internals.ts";

export interface ProcedureAccess {
  /** Dotted path, as clients call it (`postMessage`, `admin.rotate`). */
  readonly path: string;
  readonly kind: "query" | "mutation" | "subscription";
  /** `undeclared`: built on neither publicProcedure nor protectedProcedure. */
  readonly access: "public" | "protected" | "undeclared";
  /** Scopes a token needs beyond being valid (empty: any valid token). */
  readonly scopes: readonly string[];
}

/**
 * Every procedure of `router` with its access, from what the procedures declare (tRPC meta) and
 * checked against what they run: `protected` only when the verifying middleware is in the chain
 * (a `meta({ access: "public" })` written onto a protected procedure cannot hide it), `public`
 * only when declared so and not verifying.
 * @throws Error when a procedure uses requireScopes twice (its meta would list only one set).
 */
export function describeProcedures(router: AnyTRPCRouter): ProcedureAccess[] {
  return [...routerInternals(router).procedures]
    .map(([path, { kind, meta, middlewares }]) => {
      const roles = middlewares.map(middlewareRole);
      const verifies = roles.includes("verify");
      const scopeChecks = roles.filter((role) => role === "scopes").length;
      if (scopeChecks > 1) {
        throw new Error(`${path}: use one requireScopes listing every scope, not ${scopeChecks}`);
      }
      const access = verifies
        ? "protected"
        : meta?.access === "public" && scopeChecks === 0
          ? "public"
          : "undeclared";
      return { path, kind, access, scopes: [...(meta?.scopes ?? [])] } satisfies ProcedureAccess;
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** Every scope some procedure requires, sorted (RFC 9728 `scopes_supported`). */
export function scopesOf(procedures: readonly ProcedureAccess[]): string[] {
  return [...new Set(procedures.flatMap((p) => p.scopes))].sort();
}
