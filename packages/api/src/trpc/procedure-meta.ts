/**
 * What a procedure declares about its access, as tRPC `meta`: publicProcedure sets
 * `access: "public"`, protectedProcedure `access: "protected"`, requireScopes adds `scopes`.
 * describeProcedures reads it back, so access is data (for the README table, RFC 9728
 * `scopes_supported`, and a test that refuses undeclared procedures).
 */
export interface ProcedureMeta {
  readonly access?: "public" | "protected";
  readonly scopes?: readonly string[];
}
