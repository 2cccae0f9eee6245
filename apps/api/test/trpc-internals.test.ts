import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { appRouter, protectedProcedure } from "@repo/api-router";
import { initTRPC } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { routerInternals, usesMiddlewaresOf } from "../src/http/trpc-internals.ts";

// The fast query path and the stream refusal read tRPC internals. These tests fail, with a message
// naming what moved, when an upgrade of @trpc/server changes them.
const root = fileURLToPath(new URL("../../..", import.meta.url));
const MANIFESTS = [
  "apps/api/package.json",
  "apps/client/package.json",
  "packages/auth/package.json",
  "bench/package.json",
];

describe("what the api relies on in @trpc/server", () => {
  it("every workspace pins @trpc/server and @trpc/client to one exact version, the installed one", () => {
    const catalog =
      (
        parse(readFileSync(`${root}/pnpm-workspace.yaml`, "utf8")) as {
          catalog?: Record<string, string>;
        }
      ).catalog ?? {};
    const installed = (
      JSON.parse(
        readFileSync(createRequire(import.meta.url).resolve("@trpc/server/package.json"), "utf8"),
      ) as { version: string }
    ).version;
    for (const manifest of MANIFESTS) {
      const json = JSON.parse(readFileSync(`${root}/${manifest}`, "utf8")) as Record<
        string,
        Record<string, string> | undefined
      >;
      for (const field of ["dependencies", "devDependencies", "peerDependencies"]) {
        for (const name of ["@trpc/server", "@trpc/client"]) {
          const given = json[field]?.[name];
          const spec = given === "catalog:" ? catalog[name] : given;
          if (given !== undefined) expect(spec, `${manifest} ${field} ${name}`).toBe(installed);
        }
      }
    }
  });

  it("the app router has the shape the fast path reads", () => {
    const { config, procedures } = routerInternals(appRouter);
    expect(Object.keys(procedures).sort()).toEqual(Object.keys(appRouter._def.procedures).sort());
    expect(typeof config.transformer.input.deserialize).toBe("function");
    expect(typeof config.transformer.output.serialize).toBe("function");
    expect(procedures.public?._def.type).toBe("query");
  });

  it("protected procedures are recognised by the middlewares they share with protectedProcedure", () => {
    const { procedures } = routerInternals(appRouter);
    expect(usesMiddlewaresOf(procedures.protected as never, protectedProcedure)).toBe(true);
    expect(usesMiddlewaresOf(procedures.secret as never, protectedProcedure)).toBe(true);
    expect(usesMiddlewaresOf(procedures.public as never, protectedProcedure)).toBe(false);
    expect(protectedProcedure._def.middlewares.length).toBeGreaterThan(0);
  });

  it("a procedure is called as resolveResponse calls it, with a signal, and answers its data", async () => {
    const t = initTRPC.create();
    const seen: unknown[] = [];
    const router = t.router({
      echo: t.procedure.query(({ signal }) => {
        seen.push(signal);
        return { ok: true };
      }),
    });
    const { procedures } = routerInternals(router);
    const signal = new AbortController().signal;
    const data = await procedures.echo?.({
      path: "echo",
      getRawInput: async () => undefined,
      ctx: {},
      type: "query",
      signal,
      batchIndex: 0,
    });
    expect(data).toEqual({ ok: true });
    expect(seen).toEqual([signal]);
  });

  it("a router whose internals moved stops the server with a message naming them", () => {
    const moved = { _def: { config: {}, procedures: {} } } as never;
    expect(() => routerInternals(moved)).toThrow(
      /@trpc\/server internals changed \(router\._def\._config\).*trpc-internals\.ts/,
    );
    const noMiddlewares = {
      _def: {
        _config: appRouter._def._config,
        procedures: { q: Object.assign(() => undefined, { _def: { type: "query" } }) },
      },
    } as never;
    expect(() => routerInternals(noMiddlewares)).toThrow(/procedure "q"\._def\.middlewares/);
    const noResolverLast = {
      _def: {
        _config: appRouter._def._config,
        procedures: {
          q: Object.assign(() => undefined, {
            _def: { type: "query", middlewares: [async function other() {}] },
          }),
        },
      },
    } as never;
    expect(() => routerInternals(noResolverLast)).toThrow(/ending in its resolver/);
  });
});
