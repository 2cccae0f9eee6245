import { SpanStatusCode, trace } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { type AccessTokenVerifier, createAccessTokenVerifier } from "@repo/auth/server";
import { tracesRequested } from "@repo/env";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { TRPCError } from "@trpc/server";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createContext, standaloneContextDeps } from "../src/trpc/context.ts";
import { t } from "../src/trpc/init.ts";
import {
  protectedProcedure,
  publicProcedure,
  requireScopes,
  router,
} from "../src/trpc/procedures.ts";
import { AUTH_ATTRIBUTES } from "../src/trpc/span-recording-verifier.ts";
import {
  PROCEDURE_ATTRIBUTES,
  PROCEDURE_SPANS,
  traceProcedure,
} from "../src/trpc/trace-procedure.ts";

// The base procedures carry traceProcedure only when the process starts with traces requested
// (never in this suite): the chains it makes then are rebuilt here from the same parts.
const traced = t.procedure.use(traceProcedure);
const probe = router({
  public: traced.concat(publicProcedure).query(() => "public"),
  protected: traced.concat(protectedProcedure).query(({ ctx }) => ctx.auth.sub),
  secret: traced
    .concat(protectedProcedure)
    .concat(requireScopes("read:secret"))
    .query(() => "secret"),
  broken: traced.concat(publicProcedure).query((): string => {
    throw new Error("database password is hunter2");
  }),
});

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let issuer: LocalIssuer;
let verifier: AccessTokenVerifier;

beforeAll(async () => {
  trace.setGlobalTracerProvider(provider);
  issuer = await startLocalIssuer();
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  await issuer.close();
});
afterEach(() => {
  verifier?.keySet.close();
  exporter.reset();
});

function caller(authorization?: string) {
  verifier ??= createAccessTokenVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUri: issuer.jwksUri,
  });
  const deps = standaloneContextDeps({ verifier, log: pino({ level: "silent" }) });
  return probe.createCaller(createContext(deps, authorization));
}

function spanOf(path: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((span) => span.name.endsWith(` ${path}`));
}

describe("procedure spans", () => {
  it("installs the span middleware on the base procedures exactly when traces are requested", () => {
    const installed = (builder: { _def: { middlewares: readonly unknown[] } }) =>
      builder._def.middlewares.includes(traceProcedure._middlewares[0]);
    expect(PROCEDURE_SPANS).toBe(tracesRequested(process.env));
    expect(installed(publicProcedure)).toBe(PROCEDURE_SPANS);
    expect(installed(protectedProcedure)).toBe(PROCEDURE_SPANS);
  });

  it("gives a public call a span with the procedure's path and type and no authentication", async () => {
    await expect(caller().public()).resolves.toBe("public");
    const [span] = spanOf("public");
    expect(span?.name).toBe("trpc.query public");
    expect(span?.attributes).toEqual({
      [PROCEDURE_ATTRIBUTES.system]: "trpc",
      [PROCEDURE_ATTRIBUTES.path]: "public",
      [PROCEDURE_ATTRIBUTES.type]: "query",
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("records a verification, then a cache hit, with the subject and scopes, never the token", async () => {
    const jwt = await issuer.signToken({ scope: "read:secret write:messages" });
    await expect(caller(`Bearer ${jwt}`).protected()).resolves.toBe("demo-client@clients");
    await expect(caller(`Bearer ${jwt}`).protected()).resolves.toBe("demo-client@clients");
    const spans = spanOf("protected");
    expect(spans.map((span) => span.attributes[AUTH_ATTRIBUTES.outcome])).toEqual([
      "verified",
      "cache_hit",
    ]);
    for (const span of spans) {
      expect(span.attributes).toMatchObject({
        [PROCEDURE_ATTRIBUTES.path]: "protected",
        [AUTH_ATTRIBUTES.subject]: "demo-client@clients",
        [AUTH_ATTRIBUTES.scopes]: ["read:secret", "write:messages"],
      });
    }
    // The span's lookup does not change what the verifier counts: one miss, then one hit.
    expect(verifier.stats()).toMatchObject({ cacheHits: 1, cacheMisses: 1 });
    const [, signature] = jwt.split(".").slice(1);
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain(signature);
  });

  it("records a refusal with its reason and the error code, without marking the span failed", async () => {
    const jwt = await issuer.signToken();
    const tampered = `${jwt.slice(0, -4)}AAAA`;
    await expect(caller(`Bearer ${tampered}`).protected()).rejects.toThrow(TRPCError);
    await expect(caller().protected()).rejects.toThrow(TRPCError);
    const [badSignature, missing] = spanOf("protected");
    expect(badSignature?.attributes).toMatchObject({
      [AUTH_ATTRIBUTES.outcome]: "refused",
      [AUTH_ATTRIBUTES.refusalReason]: "bad_signature",
      [PROCEDURE_ATTRIBUTES.errorCode]: "UNAUTHORIZED",
    });
    expect(missing?.attributes).toMatchObject({
      [AUTH_ATTRIBUTES.outcome]: "refused",
      [AUTH_ATTRIBUTES.refusalReason]: "missing_token",
    });
    expect(badSignature?.status.code).toBe(SpanStatusCode.UNSET);
    expect(JSON.stringify(badSignature?.attributes)).not.toContain(tampered.split(".")[2]);
  });

  it("records a missing scope as a refusal of a verified subject", async () => {
    const jwt = await issuer.signToken({ scope: "write:messages" });
    await expect(caller(`Bearer ${jwt}`).secret()).rejects.toThrow(TRPCError);
    const [span] = spanOf("secret");
    expect(span?.attributes).toMatchObject({
      [AUTH_ATTRIBUTES.outcome]: "refused",
      [AUTH_ATTRIBUTES.refusalReason]: "insufficient_scope",
      [AUTH_ATTRIBUTES.subject]: "demo-client@clients",
      [AUTH_ATTRIBUTES.scopes]: ["write:messages"],
      [PROCEDURE_ATTRIBUTES.errorCode]: "FORBIDDEN",
    });
  });

  it("marks a server-side failure with its code only, never the error's message", async () => {
    await expect(caller().broken()).rejects.toThrow(TRPCError);
    const [span] = spanOf("broken");
    expect(span?.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: "INTERNAL_SERVER_ERROR",
    });
    expect(span?.events).toEqual([]);
    expect(JSON.stringify(span?.attributes)).not.toContain("hunter2");
  });
});
