import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { appRouter, createContext, standaloneContextDeps } from "@repo/api-router";
import { type AnyTRPCProcedure, initTRPC, TRPCError } from "@trpc/server";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { callProcedure, type ProcedureCallOptions } from "../src/http/call-procedure.ts";
import { routerInternals } from "../src/http/trpc-internals.ts";
import { type Stack, startStack } from "./support/start-stack.ts";

// callProcedure replaces tRPC's own way of running a procedure on the api's HTTP paths; these
// tests hold it to the same outcome as calling the procedure through tRPC, for the api's procedures
// and for every middleware feature tRPC has (context, input, raw input, meta, errors).

/** The outcome of a call, comparable across both ways of calling. */
async function outcome(run: () => Promise<unknown>) {
  try {
    return { ok: true, data: await run() };
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCError);
    const e = error as TRPCError;
    return { ok: false, code: e.code, message: e.message, cause: e.cause };
  }
}

type CallOptions = ProcedureCallOptions & { readonly signal: AbortSignal | undefined };

/** tRPC's call, callProcedure's with the signal given, and with it made on demand: one outcome. */
async function bothWays(procedure: AnyTRPCProcedure, opts: () => CallOptions) {
  const viaTrpc = await outcome(() => procedure(opts()));
  const viaApi = await outcome(() => callProcedure(procedure, opts()));
  expect(viaApi).toEqual(viaTrpc);
  const lazy = await outcome(() => {
    const o = opts();
    return callProcedure(procedure, { ...o, signal: () => o.signal as AbortSignal });
  });
  expect(lazy).toEqual(viaTrpc);
  return viaApi;
}

const base = (ctx: object, path = "p"): CallOptions => ({
  path,
  getRawInput: async () => undefined,
  ctx,
  type: "query",
  signal: undefined,
  batchIndex: 0,
});

describe("callProcedure, against tRPC's own call, on the api's procedures", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it("answers and refuses every procedure as tRPC does, for every kind of caller", async () => {
    const { procedures } = routerInternals(appRouter);
    const log = pino({ level: "silent" });
    const verifier = stack.api.verifier;
    const valid = await stack.token();
    const publicOnly = await stack.issuer.signToken({ scope: "read:public" });
    const headers = [
      undefined,
      `Bearer ${valid}`,
      `Bearer ${publicOnly}`,
      `Bearer ${valid.slice(0, -4)}AAAA`,
      "Basic x",
    ];
    const outcomes: string[] = [];
    for (const [path, procedure] of Object.entries(procedures)) {
      for (const header of headers) {
        const result = await bothWays(procedure as AnyTRPCProcedure, () =>
          base(createContext(standaloneContextDeps({ verifier, log }), header), path),
        );
        outcomes.push(`${path} ${result.ok ? "ok" : result.code}`);
      }
    }
    // Both outcomes were seen: answers and each kind of refusal.
    expect(outcomes).toEqual(
      expect.arrayContaining([
        "public ok",
        "protected ok",
        "protected UNAUTHORIZED",
        "protected BAD_REQUEST",
        "secret ok",
        "secret FORBIDDEN",
      ]),
    );
  });
});

describe("callProcedure, against tRPC's own call, on every middleware feature", () => {
  const t = initTRPC
    .context<{ user: string | null; n: number }>()
    .meta<{ tag: string }>()
    .create({ isDev: false });
  const seen: unknown[] = [];
  const procedures = {
    extendsContext: t.procedure
      .use(({ next }) => next({ ctx: { user: "u" } }))
      .use(({ ctx, next }) => next({ ctx: { n: ctx.n + 1 } }))
      .query(({ ctx }) => ctx),
    validatesInput: t.procedure
      .input(z.object({ a: z.number() }))
      .input(z.object({ b: z.string() }))
      .query(({ input }) => input),
    readsMetaAndOptions: t.procedure
      .meta({ tag: "m" })
      .use((opts) => {
        seen.push({ ...opts, next: typeof opts.next, getRawInput: typeof opts.getRawInput });
        return opts.next();
      })
      .query(({ path, signal }) => ({ path, aborted: signal?.aborted ?? null })),
    replacesRawInput: t.procedure
      .use(({ next }) => next({ getRawInput: async () => ({ a: 2 }) }))
      .input(z.object({ a: z.number() }))
      .query(({ input }) => input),
    throwsInMiddleware: t.procedure
      .use(() => {
        throw new TRPCError({ code: "FORBIDDEN", message: "no" });
      })
      .query(() => "never"),
    throwsPlainError: t.procedure.use(() => Promise.reject(new Error("boom"))).query(() => 1),
    forgetsNext: t.procedure.use((async () => undefined) as never).query(() => 1),
    throwsInResolver: t.procedure.query(() => {
      throw new TRPCError({ code: "CONFLICT", message: "c" });
    }),
    mutation: t.procedure.mutation(() => "m"),
  };

  it("gives the same data, errors, context and middleware options", async () => {
    const ctx = () => ({ user: null, n: 1 });
    const signal = new AbortController().signal;
    for (const [path, procedure] of Object.entries(procedures)) {
      for (const raw of [undefined, { a: 1, b: "x" }, { a: "wrong" }]) {
        await bothWays(procedure, () => ({
          ...base(ctx(), path),
          getRawInput: async () => raw,
          type: procedure._def.type,
          signal,
          batchIndex: 3,
        }));
      }
    }
    // tRPC's options and callProcedure's (signal given, then made on demand), seen by the same
    // middleware, in the same key order.
    expect(seen.length).toBeGreaterThan(0);
    for (let i = 0; i < seen.length; i += 3) {
      for (const ours of [seen[i + 1], seen[i + 2]]) {
        expect(ours).toEqual(seen[i]);
        expect(Object.keys(ours as object)).toEqual(Object.keys(seen[i] as object));
      }
    }
  });

  it("makes a signal given as a function only when a procedure reads it, once per read", async () => {
    const controller = new AbortController();
    let made = 0;
    const signal = () => {
      made++;
      return controller.signal;
    };
    const ctx = { user: null, n: 1 };
    await callProcedure(procedures.extendsContext, { ...base(ctx), signal });
    expect(made).toBe(0);
    controller.abort();
    await expect(
      callProcedure(procedures.readsMetaAndOptions, { ...base(ctx), signal }),
    ).resolves.toEqual({ path: "p", aborted: true });
    expect(made).toBeGreaterThan(0);
  });

  // An object literal with `get signal() {}` makes a new getter per object, which V8 keeps in
  // dictionary mode: under load the api then spent a fifth of its time in slow scavenges. Checked
  // with V8's own test natives, in a process of its own (they need a flag).
  it("gives middlewares options with fast properties and one hidden class, lazy signal or not", async () => {
    const script = fileURLToPath(new URL("./support/options-shape.ts", import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--allow-natives-syntax", "--import", "tsx", script],
      { cwd: fileURLToPath(new URL("..", import.meta.url)) },
    );
    const shape = { fast: [true, true, true, true], sameShape: true };
    expect(JSON.parse(stdout)).toEqual({ given: shape, "on demand": shape });
  });
});
