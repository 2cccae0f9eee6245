import { type Attributes, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { RefreshTrigger } from "./key-set-event.ts";

/** Span attributes of a JWKS fetch (docs/operations.md, "Traces"). */
export const JWKS_FETCH_ATTRIBUTES = {
  method: "http.request.method",
  url: "url.full",
  serverAddress: "server.address",
  status: "http.response.status_code",
  /** What started the fetch (RefreshTrigger: cold, warm, max_age, unknown_kid, retry). */
  trigger: "jwks.trigger",
  /** Keys the answer listed (before screening for usable ones). */
  keys: "jwks.keys",
} as const;

/** The tracer's name: the package that makes the spans. */
const TRACER_NAME = "@repo/auth";

export interface JwksFetchSpanOptions {
  readonly trigger: RefreshTrigger | undefined;
  /** Start a trace of its own instead of joining the active one. */
  readonly root: boolean;
}

/**
 * Run `fetch` inside a client span of its own (a child of the request that needed the keys, if
 * any): the JWKS URL (credentials in it redacted), what triggered the fetch, the answer's status
 * and how many keys it listed; a failure sets the span's status with `fetch`'s error message,
 * which is written for logs (never the body). `fetch` records the status on the span it is given.
 */
export function withJwksFetchSpan<T extends readonly unknown[]>(
  uri: string,
  options: JwksFetchSpanOptions,
  fetch: (span: Span) => Promise<T>,
): Promise<T> {
  const { trigger, root } = options;
  const attributes: Attributes = {
    [JWKS_FETCH_ATTRIBUTES.method]: "GET",
    ...urlAttributes(uri),
    ...(trigger === undefined ? {} : { [JWKS_FETCH_ATTRIBUTES.trigger]: trigger }),
  };
  // Looked up per fetch, from the global provider: a no-op unless the process registered an SDK,
  // and never a provider replaced since (a tracer held from before keeps the old one).
  return trace
    .getTracer(TRACER_NAME)
    .startActiveSpan("jwks fetch", { kind: SpanKind.CLIENT, attributes, root }, async (span) => {
      try {
        const keys = await fetch(span);
        span.setAttribute(JWKS_FETCH_ATTRIBUTES.keys, keys.length);
        return keys;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message });
        throw error;
      } finally {
        span.end();
      }
    });
}

/** `url.full` and `server.address`; user and password replaced as the conventions ask. */
function urlAttributes(uri: string): Attributes {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return {};
  }
  if (url.username !== "") url.username = "REDACTED";
  if (url.password !== "") url.password = "REDACTED";
  return {
    [JWKS_FETCH_ATTRIBUTES.url]: url.href,
    [JWKS_FETCH_ATTRIBUTES.serverAddress]: url.hostname,
  };
}
