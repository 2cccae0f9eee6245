/**
 * Run with `node --allow-natives-syntax --import tsx`: prints, as JSON, whether the options
 * callProcedure gives middlewares and resolvers keep V8's fast (non-dictionary) properties and share
 * one hidden class, for a signal given and for one made on demand. Natives are read through
 * `new Function` because the TypeScript compiler cannot parse `%` calls.
 */
import { initTRPC } from "@trpc/server";
import { callProcedure } from "../../src/http/call-procedure.ts";

const hasFastProperties = new Function("o", "return %HasFastProperties(o)") as (
  o: object,
) => boolean;
const haveSameMap = new Function("a", "b", "return %HaveSameMap(a, b)") as (
  a: object,
  b: object,
) => boolean;

const t = initTRPC.create();
const seen: object[] = [];
const procedure = t.procedure
  .use((opts) => {
    seen.push(opts);
    return opts.next({ ctx: { extra: 1 } });
  })
  .query((opts) => {
    seen.push(opts);
    return "ok";
  });

const controller = new AbortController();
const shapes: Record<string, { fast: boolean[]; sameShape: boolean }> = {};
for (const [name, signal] of [
  ["given", controller.signal],
  ["on demand", () => controller.signal],
] as const) {
  seen.length = 0;
  for (let i = 0; i < 2; i++) {
    await callProcedure(procedure, {
      path: "p",
      getRawInput: async () => undefined,
      ctx: {},
      type: "query",
      signal,
      batchIndex: 0,
    });
  }
  // Two calls, each through the middleware and the resolver: the same layer of both calls must
  // share a hidden class.
  const [a, b, c, d] = seen as [object, object, object, object];
  shapes[name] = {
    fast: seen.map(hasFastProperties),
    sameShape: haveSameMap(a, c) && haveSameMap(b, d),
  };
}
process.stdout.write(JSON.stringify(shapes));
