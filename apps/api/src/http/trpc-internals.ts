import type { AnyTRPCProcedure, AnyTRPCRouter } from "@trpc/server";
import type { PathSeparator } from "./trpc-request.ts";

/** What the api reads of a tRPC router beyond its public API (pinned @trpc/server version). */
export interface RouterInternals {
  readonly config: AnyTRPCRouter["_def"]["_config"];
  readonly procedures: Readonly<Record<string, AnyTRPCProcedure | undefined>>;
  /** What stands for `.` in the procedure paths of URLs (tRPC's `pathSeparator`, default `.`). */
  readonly pathSeparator: PathSeparator;
}

const PATH_SEPARATORS: readonly unknown[] = [".", "_", "~", "-"] satisfies PathSeparator[];

/**
 * The router's config and flat procedure table. These are tRPC internals (`_def._config`,
 * `_def.procedures`, a procedure's `_def.type` and `_def.middlewares`, whose last entry is the
 * resolver); the fast path and the
 * stream refusal rely on them, so their shape is checked once here, at start, and a tRPC upgrade
 * that changes it stops the server with this message instead of answering wrongly. A test
 * (trpc-internals.test.ts) runs the same check against the installed version.
 */
export function routerInternals(router: AnyTRPCRouter): RouterInternals {
  const def = (router as { _def?: unknown })._def as Record<string, unknown> | undefined;
  const config = def?._config as Record<string, unknown> | undefined;
  const procedures = def?.procedures as Record<string, unknown> | undefined;
  const problems: string[] = [];
  if (typeof config !== "object" || config === null) problems.push("router._def._config");
  else {
    const transformer = config.transformer as { input?: { deserialize?: unknown } } | undefined;
    if (typeof transformer?.input?.deserialize !== "function")
      problems.push("router._def._config.transformer.input.deserialize");
    if (typeof config.errorFormatter !== "function")
      problems.push("router._def._config.errorFormatter");
    if (!PATH_SEPARATORS.includes(config.pathSeparator ?? "."))
      problems.push("router._def._config.pathSeparator");
  }
  if (typeof procedures !== "object" || procedures === null)
    problems.push("router._def.procedures");
  else {
    for (const [path, procedure] of Object.entries(procedures)) {
      const procDef = (procedure as { _def?: Record<string, unknown> } | undefined)?._def;
      if (typeof procedure !== "function") problems.push(`procedure "${path}" is not callable`);
      else if (!["query", "mutation", "subscription"].includes(String(procDef?.type)))
        problems.push(`procedure "${path}"._def.type`);
      else if (!Array.isArray(procDef?.middlewares))
        problems.push(`procedure "${path}"._def.middlewares`);
      // The stream refusal runs every middleware but the last, which must be the resolver.
      else if ((procDef.middlewares as { name?: string }[]).at(-1)?.name !== "resolveMiddleware")
        problems.push(`procedure "${path}"._def.middlewares ending in its resolver`);
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `@trpc/server internals changed (${problems.join(", ")}): the api's fast query path and ` +
        "stream refusal read them; check apps/api/src/http/trpc-internals.ts against the new version",
    );
  }
  return {
    config: config as unknown as RouterInternals["config"],
    procedures: procedures as RouterInternals["procedures"],
    pathSeparator: (config?.pathSeparator ?? ".") as PathSeparator,
  };
}

/** Whether `procedure` was built on `builder` (it runs every middleware the builder has). */
export function usesMiddlewaresOf(
  procedure: AnyTRPCProcedure,
  builder: { readonly _def: { readonly middlewares: readonly unknown[] } },
): boolean {
  const own = (procedure._def as unknown as { middlewares: readonly unknown[] }).middlewares;
  return builder._def.middlewares.every((middleware) => own.includes(middleware));
}
