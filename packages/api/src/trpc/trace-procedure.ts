import { type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { isAuthError } from "@repo/auth/server";
import { tracesRequested } from "@repo/env";
import type { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { t } from "./init.ts";
import { AUTH_ATTRIBUTES, SpanRecordingVerifier } from "./span-recording-verifier.ts";

/**
 * Whether procedures get spans: decided once, as this module loads, from the same variables that
 * make the api start the OpenTelemetry SDK (tracesRequested). When off, withProcedureSpans adds
 * nothing to the procedures, so a call costs what it cost before tracing existed.
 */
export const PROCEDURE_SPANS: boolean = tracesRequested(process.env);

/** Span attributes of a procedure call besides its authentication (docs/operations.md). */
export const PROCEDURE_ATTRIBUTES = {
  system: "rpc.system",
  path: "trpc.procedure.path",
  type: "trpc.procedure.type",
  /** The TRPCError code of a call that failed (`UNAUTHORIZED`, `BAD_REQUEST`...). */
  errorCode: "trpc.error.code",
} as const;

/** The tracer's name: the package that makes the spans. */
const TRACER_NAME = "@repo/api-router";

/**
 * A span per procedure call, the child of whatever span is active (the api's request span): the
 * procedure's path and type, and how the call was authenticated (AUTH_ATTRIBUTES: verified, cache
 * hit or refused and why, the subject and scopes). Never the token, the input or an error's
 * message. A subscription's span covers its opening (verification, stream slot), not the stream.
 */
export const traceProcedure = t.middleware(({ ctx, path, type, next }) =>
  // Looked up per call from the global provider (the SDK's lookup is one map access): a tracer
  // held from before would keep a provider that has since been replaced.
  trace.getTracer(TRACER_NAME).startActiveSpan(
    `trpc.${type} ${path}`,
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        [PROCEDURE_ATTRIBUTES.system]: "trpc",
        [PROCEDURE_ATTRIBUTES.path]: path,
        [PROCEDURE_ATTRIBUTES.type]: type,
      },
    },
    async (span) => {
      try {
        const verifier = new SpanRecordingVerifier(ctx.verifier, span);
        const result = await next({ ctx: { verifier } });
        if (!result.ok) recordFailure(span, result.error);
        return result;
      } finally {
        span.end();
      }
    },
  ),
);

function recordFailure(span: Span, error: TRPCError): void {
  span.setAttribute(PROCEDURE_ATTRIBUTES.errorCode, error.code);
  if (isAuthError(error.cause)) {
    span.setAttribute(AUTH_ATTRIBUTES.outcome, "refused");
    span.setAttribute(AUTH_ATTRIBUTES.refusalReason, error.cause.code);
  }
  // A refusal or a bad input is the caller's doing; only a server-side failure marks the span.
  if (getHTTPStatusCodeFromError(error) >= 500) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.code });
  }
}

/**
 * `builder` with a span per call when PROCEDURE_SPANS is on, else `builder` itself. For the base
 * procedures, so that every transport (the tRPC adapter, the fast path, the REST routes) runs it.
 */
export function withProcedureSpans(builder: typeof t.procedure): typeof t.procedure {
  if (!PROCEDURE_SPANS) return builder;
  // The middleware hands on the context it received, its verifier wrapped in one of the same type.
  return builder.use(traceProcedure) as unknown as typeof t.procedure;
}
