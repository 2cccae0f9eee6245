import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { initTRPC, TRPCError } from "@trpc/server";
import { callProcedure, lazy } from "@trpc/server/unstable-core-do-not-import";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appRouter } from "../src/router.ts";
import {
  middlewareFunctions,
  PINNED_TRPC_SERVER_VERSION,
  routerInternals,
  withResolver,
} from "../src/trpc/trpc-internals.ts";

// trpc-internals.ts is the one place that reads tRPC internals. These tests fail, naming what
// moved, when an upgrade of @trpc/server changes what it reads.
const root = new URL("../../../", import.meta.url);
const MANIFESTS = [
  "apps/api/package.json",
  "apps/client/package.json",
  "packages/api/package.json",
  "packages/auth/package.json",
  "bench/package.json",
];

describe("the @trpc/server version trpc-internals.ts is written against", () => {
  it("is the installed one, and every workspace pins @trpc/server and @trpc/client to it", () => {
    const installed = (
      JSON.parse(
        readFileSync(createRequire(import.meta.url).resolve("@trpc/server/package.json"), "utf8"),
      ) as { version: string }
    ).version;
    expect(installed).toBe(PINNED_TRPC_SERVER_VERSION);
    const workspace = readFileSync(new URL("pnpm-workspace.yaml", root), "utf8");
    const catalog = (name: string) =>
      new RegExp(`^\\s+"${name}":\\s*"([^"]+)"\\s*$`, "m").exec(workspace)?.[1];
    for (const manifest of MANIFESTS) {
      const json = JSON.parse(readFileSync(new URL(manifest, root), "utf8")) as Record<
        string,
        Record<string, string> | undefined
      >;
      for (const field of ["dependencies", "devDependencies", "peerDependencies"]) {
        for (const name of ["@trpc/server", "@trpc/client"]) {
          const given = json[field]?.[name];
          const spec = given === "catalog:" ? catalog(name) : given;
          if (given !== undefined) expect(spec, `${manifest} ${field} ${name}`).toBe(installed);
        }
      }
    }
  });
});

describe("routerInternals", () => {
  it("reads the router's procedures, their kinds and meta, and its config as tRPC holds them", () => {
    const { config, pathSeparator, procedures } = routerInternals(appRouter);
    expect([...procedures.keys()].sort()).toEqual(Object.keys(appRouter._def.procedures).sort());
    for (const [path, procedure] of Object.entries(appRouter._def.procedures)) {
      const read = procedures.get(path);
      expect(read?.kind, path).toBe(procedure._def.type);
      expect(read?.meta, path).toEqual(procedure._def.meta);
    }
    expect(procedures.get("public")?.meta).toEqual({ access: "public" });
    expect(config).toBe(appRouter._def._config);
    expect(typeof config.transformer.output.serialize).toBe("function");
    expect(pathSeparator).toBe(".");
  });

  it("stops the server on a router whose internals moved, naming them and the pinned version", () => {
    const stops = (router: unknown, what: RegExp) => {
      expect(() => routerInternals(router as never)).toThrow(what);
      expect(() => routerInternals(router as never)).toThrow(
        `@trpc/server ${PINNED_TRPC_SERVER_VERSION}; check packages/api/src/trpc/trpc-internals.ts`,
      );
    };
    const config = appRouter._def._config;
    stops({ _def: { config: {}, procedures: {} } }, /router\._def\._config/);
    const query = (def: object) => Object.assign(() => undefined, { _def: def });
    stops(
      { _def: { _config: config, procedures: { q: query({ type: "query" }) } } },
      /procedure "q"\._def\.middlewares/,
    );
    stops(
      {
        _def: {
          _config: config,
          procedures: { q: query({ type: "query", middlewares: [async function other() {}] }) },
        },
      },
      /procedure "q"\._def\.middlewares ending in its resolver/,
    );
    stops(
      { _def: { _config: config, procedures: { q: query({ type: "other", middlewares: [] }) } } },
      /procedure "q"\._def\.type/,
    );
    const t = initTRPC.create();
    stops(
      t.router({ later: lazy(async () => t.router({ q: t.procedure.query(() => 1) })) }),
      /lazy routers/,
    );
  });
});

describe("withResolver", () => {
  const t = initTRPC.context<{ user: string | null }>().meta<{ tag: string }>().create();
  const resolved: string[] = [];
  const metaSeen: unknown[] = [];
  const router = t.router({
    open: t.procedure
      .meta({ tag: "open" })
      .use(({ meta, next }) => {
        metaSeen.push(meta?.tag);
        return next();
      })
      .input(z.object({ n: z.number() }))
      .query(({ input }) => resolved.push(`open ${input.n}`)),
    guarded: t.procedure
      .use(({ ctx, next }) => {
        if (ctx.user === null) throw new TRPCError({ code: "UNAUTHORIZED" });
        return next();
      })
      .mutation(() => resolved.push("guarded")),
  });

  const call = (
    target: typeof router,
    path: string,
    type: "query" | "mutation",
    user: string | null,
  ) =>
    callProcedure({
      router: target,
      path,
      getRawInput: async () => ({ n: 1 }),
      ctx: { user },
      type,
      signal: undefined,
      batchIndex: 0,
    });

  it("runs each procedure's own middlewares, meta and input check through tRPC, then the given resolver", async () => {
    const twins = withResolver(router, ["open", "guarded"], () => "passed");
    await expect(call(twins as never, "open", "query", null)).resolves.toBe("passed");
    await expect(call(twins as never, "guarded", "mutation", "u")).resolves.toBe("passed");
    await expect(call(twins as never, "guarded", "mutation", null)).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    const badInput = callProcedure({
      router: twins,
      path: "open",
      getRawInput: async () => ({ n: "x" }),
      ctx: { user: null },
      type: "query",
      signal: undefined,
      batchIndex: 0,
    });
    await expect(badInput).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // The middlewares saw the procedure's meta; the procedures' own resolvers never ran.
    expect(metaSeen).toEqual(["open", "open"]);
    expect(resolved).toEqual([]);
    // The real procedures still run as before.
    await expect(call(router, "open", "query", null)).resolves.toBe(1);
    expect(resolved).toEqual(["open 1"]);
  });

  it("refuses a path the router does not have", () => {
    expect(() => withResolver(router, ["nope"], () => null)).toThrow(/no procedure "nope"/);
  });
});

describe("middlewareFunctions", () => {
  it("reads a middleware builder's functions, the ones a procedure built on it runs", () => {
    const t = initTRPC.create();
    const fn = async ({ next }: { next: () => Promise<unknown> }) => next();
    const builder = t.middleware(fn as never);
    expect(middlewareFunctions(builder)).toEqual([fn]);
    expect(() => middlewareFunctions({})).toThrow(/_middlewares/);
  });
});
