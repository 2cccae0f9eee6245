import { type AnyTRPCProcedure, type AnyTRPCRouter, initTRPC } from "@trpc/server";
import type { PathSeparator } from "@trpc/server/unstable-core-do-not-import";
import type { ProcedureMeta } from "./procedure-meta.ts";

/**
 * Every read of @trpc/server internals (`_def`, `_middlewares`) in the workspace is in this module,
 * written against the version named here; pnpm-workspace.yaml's catalog pins it and a test
 * (trpc-internals.test.ts) fails when the installed version differs.
 */
export const PINNED_TRPC_SERVER_VERSION = "11.25.2";

export type ProcedureKind = "query" | "mutation" | "subscription";

/** What the api reads of one procedure. */
export interface ProcedureInternals {
  readonly kind: ProcedureKind;
  readonly meta: ProcedureMeta | undefined;
  /** Its middleware functions in the order tRPC runs them, the one calling its resolver last. */
  readonly middlewares: readonly unknown[];
}

/** What the api reads of a router beyond its public API. */
export interface RouterInternals {
  /** What getErrorShape and transformTRPCResponse take (its transformer and error formatter). */
  readonly config: AnyTRPCRouter["_def"]["_config"];
  /** What stands for `.` in the procedure paths of URLs (tRPC's `pathSeparator`, default `.`). */
  readonly pathSeparator: PathSeparator;
  /** Every procedure by its dotted path. */
  readonly procedures: ReadonlyMap<string, ProcedureInternals>;
}

const PATH_SEPARATORS: readonly unknown[] = [".", "_", "~", "-"] satisfies PathSeparator[];
const KINDS: readonly unknown[] = ["query", "mutation", "subscription"] satisfies ProcedureKind[];
const checked = new WeakMap<AnyTRPCRouter, RouterInternals>();

/**
 * The router's config and procedure table, their shape checked on first use (at start): a tRPC
 * upgrade that changes it stops the server with a message naming what moved, instead of answering
 * wrongly.
 */
export function routerInternals(router: AnyTRPCRouter): RouterInternals {
  const known = checked.get(router);
  if (known !== undefined) return known;
  const def = (router as unknown as { _def?: Record<string, unknown> })._def;
  const config = def?._config as Record<string, unknown> | undefined;
  const table = def?.procedures as Record<string, unknown> | undefined;
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
  // A lazy router's procedures join the table only once loaded: the table would not be complete.
  if (Object.keys((def?.lazy as object | undefined) ?? {}).length > 0)
    problems.push("lazy routers");
  const procedures = new Map<string, ProcedureInternals>();
  if (typeof table !== "object" || table === null) problems.push("router._def.procedures");
  else {
    for (const [path, procedure] of Object.entries(table)) {
      const read = readProcedure(path, procedure);
      if (typeof read === "string") problems.push(read);
      else procedures.set(path, read);
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `@trpc/server internals changed (${problems.join(", ")}): the api reads those of ` +
        `@trpc/server ${PINNED_TRPC_SERVER_VERSION}; check packages/api/src/trpc/trpc-internals.ts`,
    );
  }
  const internals: RouterInternals = {
    config: config as unknown as RouterInternals["config"],
    pathSeparator: (config?.pathSeparator ?? ".") as PathSeparator,
    procedures,
  };
  checked.set(router, internals);
  return internals;
}

function readProcedure(path: string, procedure: unknown): ProcedureInternals | string {
  const def = (procedure as { _def?: Record<string, unknown> } | undefined)?._def;
  if (typeof procedure !== "function") return `procedure "${path}" is not callable`;
  if (!KINDS.includes(def?.type)) return `procedure "${path}"._def.type`;
  const middlewares = def?.middlewares;
  if (!Array.isArray(middlewares)) return `procedure "${path}"._def.middlewares`;
  // withResolver replaces the last middleware: it must be the one calling the resolver.
  if ((middlewares.at(-1) as { name?: string } | undefined)?.name !== "resolveMiddleware")
    return `procedure "${path}"._def.middlewares ending in its resolver`;
  return {
    kind: def?.type as ProcedureKind,
    meta: def?.meta as ProcedureMeta | undefined,
    middlewares,
  };
}

/** The middleware functions of a middleware builder (`t.middleware(fn)`), in order. */
export function middlewareFunctions(builder: object): readonly object[] {
  const functions = (builder as { _middlewares?: unknown })._middlewares;
  if (!Array.isArray(functions) || !functions.every((fn) => typeof fn === "function")) {
    throw new Error(
      `@trpc/server internals changed (a middleware builder's _middlewares): the api reads those ` +
        `of @trpc/server ${PINNED_TRPC_SERVER_VERSION}; check packages/api/src/trpc/trpc-internals.ts`,
    );
  }
  return functions;
}

const twins = initTRPC.create();

/**
 * A router whose procedure at each of `paths` runs the middlewares of `router`'s procedure there
 * (the same functions, with its meta, through tRPC's runner) and then `resolver` instead of its
 * own resolver: a procedure's guards can be consulted with no way of running what they guard.
 */
export function withResolver(
  router: AnyTRPCRouter,
  paths: readonly string[],
  resolver: () => unknown,
): AnyTRPCRouter {
  const { procedures } = routerInternals(router);
  const record: Record<string, AnyTRPCProcedure> = {};
  for (const path of paths) {
    const procedure = procedures.get(path);
    if (procedure === undefined) throw new Error(`no procedure "${path}"`);
    let builder = twins.procedure;
    if (procedure.meta !== undefined) builder = builder.meta(procedure.meta);
    for (const middleware of procedure.middlewares.slice(0, -1)) {
      builder = builder.use(middleware as Parameters<typeof builder.use>[0]);
    }
    record[path] =
      procedure.kind === "query"
        ? builder.query(resolver)
        : procedure.kind === "mutation"
          ? builder.mutation(resolver)
          : builder.subscription(resolver as never);
  }
  return twins.router(record);
}
