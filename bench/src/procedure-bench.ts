/**
 * `pnpm --filter @repo/bench procedure-bench`: what authentication adds to a tRPC call, without
 * HTTP. In one process, the api's procedures are called as its fast query path calls them (a fresh
 * context per call, as per request), beside tRPC procedures built to isolate each cost of the
 * middleware model, and the parts of a cache hit alone. Reports CPU time per call (process
 * user + system over the loop, so a loaded machine inflates every row alike): medians over
 * interleaved rounds. BENCH_PROCEDURE_ROUNDS (default 5), BENCH_PROCEDURE_MS (per candidate and
 * round, default 300).
 */
import {
  appRouter,
  type Context,
  callProcedure,
  createContext,
  createLogger,
  standaloneContextDeps,
} from "@repo/api";
import { createAccessTokenVerifier, parseBearerHeader } from "@repo/auth/server";
import { exitOnConfigurationError, loadDotEnv } from "@repo/env";
import { type AnyTRPCProcedure, initTRPC } from "@trpc/server";
import { procedureBenchConfigFromEnv } from "./bench-config.ts";
import { startBenchIssuer } from "./bench-issuer.ts";
import { median } from "./median.ts";

const { rounds, perCandidateMs } = exitOnConfigurationError("procedure-bench", () => {
  loadDotEnv();
  return procedureBenchConfigFromEnv(process.env);
});

const bench = await startBenchIssuer();
const verifier = createAccessTokenVerifier({
  issuer: bench.issuer.issuer,
  audience: bench.issuer.audience,
  jwksUri: bench.issuer.jwksUri,
});
if (!(await verifier.keySet.warm())) throw new Error("procedure bench: key set did not load");
const header = `Bearer ${bench.token}`;
const verified = await verifier.verify(bench.token);
const log = createLogger("warn");
const deps = standaloneContextDeps({ verifier, log });

// The same Context, on a tRPC instance of its own: each procedure isolates one cost.
const t = initTRPC.context<Context>().create({ isDev: false });
const resolver = () => ({ message: "m" });
const oneKey = { auth: verified };
const isolated = {
  bare: t.procedure.query(resolver),
  emptyMiddleware: t.procedure.use(({ next }) => next()).query(resolver),
  asyncEmptyMiddleware: t.procedure.use(async ({ next }) => next()).query(resolver),
  oneKeyContext: t.procedure.use(({ next }) => next({ ctx: oneKey })).query(resolver),
  // The protected middleware before this change: parse, then await the async verification.
  awaitedVerify: t.procedure
    .use(async ({ ctx, next }) => {
      const auth = await ctx.verifier.verify(parseBearerHeader(ctx.authorization.raw));
      return next({ ctx: { auth } });
    })
    .query(resolver),
};
const api = appRouter._def.procedures as unknown as Record<string, AnyTRPCProcedure>;

const call = (procedure: AnyTRPCProcedure, ctx: Context) =>
  procedure({
    path: "p",
    getRawInput: async () => undefined,
    ctx,
    type: "query",
    signal: undefined,
    batchIndex: 0,
  });

interface Candidate {
  readonly label: string;
  /** One call; asynchronous candidates return their promise. */
  readonly run: () => unknown;
}

const perRequest = (procedure: AnyTRPCProcedure | undefined) => {
  if (procedure === undefined) throw new Error("procedure bench: procedure missing");
  return () => call(procedure, createContext(deps, header));
};
// As the api's HTTP paths call them (callProcedure: tRPC's chain with native object spread).
const perRequestNative = (procedure: AnyTRPCProcedure | undefined) => {
  if (procedure === undefined) throw new Error("procedure bench: procedure missing");
  return () =>
    callProcedure(procedure, {
      path: "p",
      getRawInput: async () => undefined,
      ctx: createContext(deps, header),
      type: "query",
      signal: undefined,
      batchIndex: 0,
    });
};

// As the fast query path calls them: the signal is made only if a procedure reads it.
const lazySignal = () => new AbortController().signal;
const perRequestLazy = (procedure: AnyTRPCProcedure | undefined) => {
  if (procedure === undefined) throw new Error("procedure bench: procedure missing");
  return () =>
    callProcedure(procedure, {
      path: "p",
      getRawInput: async () => undefined,
      ctx: createContext(deps, header),
      type: "query",
      signal: lazySignal,
      batchIndex: 0,
    });
};

const candidates: Candidate[] = [
  { label: "api `public` (tRPC procedure, no middleware)", run: perRequest(api.public) },
  { label: "api `protected` (cached token)", run: perRequest(api.protected) },
  { label: "api `public` through callProcedure", run: perRequestNative(api.public) },
  { label: "api `protected` through callProcedure", run: perRequestNative(api.protected) },
  { label: "api `public`, callProcedure, signal on demand", run: perRequestLazy(api.public) },
  { label: "api `protected`, callProcedure, signal on demand", run: perRequestLazy(api.protected) },
  {
    label: "+ an empty middleware, through callProcedure",
    run: perRequestNative(isolated.emptyMiddleware),
  },
  {
    label: "+ next({ ctx: { auth } }), through callProcedure",
    run: perRequestNative(isolated.oneKeyContext),
  },
  { label: "tRPC procedure, no middleware", run: perRequest(isolated.bare) },
  { label: "+ a middleware calling next()", run: perRequest(isolated.emptyMiddleware) },
  { label: "+ an async middleware calling next()", run: perRequest(isolated.asyncEmptyMiddleware) },
  {
    label: "+ a middleware calling next({ ctx: { auth } })",
    run: perRequest(isolated.oneKeyContext),
  },
  {
    label: "+ the former protected middleware (await verify(parseBearerHeader))",
    run: perRequest(isolated.awaitedVerify),
  },
  { label: "createContext alone", run: () => createContext(deps, header) },
  { label: "parseBearerHeader alone", run: () => parseBearerHeader(header) },
  // A fresh string each time, as each request's header is: its hash is computed per lookup.
  { label: "verifier.cached alone (synchronous hit)", run: () => verifier.cached(header.slice(7)) },
  { label: "await verifier.verify alone (cache hit)", run: () => verifier.verify(header.slice(7)) },
];

/** CPU microseconds per call of `run`, over about `ms` of wall time (calls run one at a time). */
async function measure(run: () => unknown, ms: number): Promise<number> {
  const end = performance.now() + ms;
  const before = process.cpuUsage();
  let calls = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 500; i++) {
      const result = run();
      if (result instanceof Promise) await result;
    }
    calls += 500;
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

try {
  for (const candidate of candidates) await measure(candidate.run, 100);
  const samples = candidates.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < candidates.length; i++) {
      const index = (round + i) % candidates.length;
      const candidate = candidates[index] as Candidate;
      samples[index]?.push(await measure(candidate.run, perCandidateMs));
    }
  }
  const lines = [
    `procedure bench: node ${process.version}, ${rounds} round(s) × ${perCandidateMs} ms per candidate; CPU µs per call, median (min-max)`,
    ...candidates.map((candidate, index) => {
      const values = samples[index] ?? [];
      const fmt = (n: number) => n.toFixed(3);
      return `${fmt(median(values)).padStart(8)}  (${fmt(Math.min(...values))}-${fmt(Math.max(...values))})  ${candidate.label}`;
    }),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
} finally {
  verifier.keySet.close();
  await bench.issuer.close();
}
process.exit(0);
