import type { Span } from "@opentelemetry/api";
import { type Clock, clockTimeout, type Fetch } from "../clock.ts";
import { BodyTooLargeError, readCappedBody } from "../read-capped-body.ts";
import { JWKS_FETCH_ATTRIBUTES, withJwksFetchSpan } from "./jwks-fetch-span.ts";
import type { RefreshTrigger } from "./key-set-event.ts";
import type { KeySetPolicy } from "./key-set-policy.ts";
import { jwksDocumentSchema } from "./usable-keys.ts";

export interface FetchJwksDeps {
  readonly fetch: Fetch;
  readonly clock: Clock;
  readonly policy: Pick<KeySetPolicy, "timeoutMs" | "maxBytes" | "maxKeys">;
  /** Aborted by the key set's close(). */
  readonly closed: AbortSignal;
  /** What started this fetch, for its trace span. */
  readonly trigger?: RefreshTrigger;
  /**
   * True for a fetch no request waits on (the refresh timer): its span starts a trace of its own
   * rather than joining whatever trace was active when the timer was set.
   */
  readonly background?: boolean;
}

/**
 * GET the JWKS and return its keys, or throw an Error whose message says what went wrong in terms
 * fit for a log line and a readiness answer (never the body).
 * - Redirects are refused (`redirect: "manual"`, as jose does): a 3xx would let whoever controls
 *   the answer point the verifier at keys of their choosing; the error names the target's host.
 * - The body is read as a stream, cancelled past `maxBytes` (bytes, not characters), and a set of
 *   more than `maxKeys` keys is refused, so a hostile or broken endpoint cannot exhaust memory.
 * Each fetch is a trace span of its own (jwks-fetch-span.ts; a no-op without an OpenTelemetry SDK).
 */
export function fetchJwks(uri: string, deps: FetchJwksDeps): Promise<Record<string, unknown>[]> {
  const span = { trigger: deps.trigger, root: deps.background === true };
  return withJwksFetchSpan(uri, span, (active) => fetchKeys(uri, deps, active));
}

async function fetchKeys(
  uri: string,
  deps: FetchJwksDeps,
  span: Span,
): Promise<Record<string, unknown>[]> {
  const { policy } = deps;
  const timeout = clockTimeout(deps.clock, policy.timeoutMs);
  const onClose = () => timeout.abort(new DOMException("key set closed", "AbortError"));
  deps.closed.addEventListener("abort", onClose, { once: true });
  const request = () =>
    deps.fetch(uri, {
      headers: { accept: "application/json" },
      redirect: "manual",
      signal: timeout.signal,
    });
  try {
    let response: Response;
    try {
      response = await request();
    } catch (error) {
      // A pooled keep-alive connection the server has meanwhile closed fails at once with
      // ECONNRESET; one immediate retry on a fresh connection is not a new attempt.
      if (!isStaleConnection(error)) throw error;
      response = await request();
    }
    span.setAttribute(JWKS_FETCH_ATTRIBUTES.status, response.status);
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(
        `JWKS endpoint answered HTTP ${response.status} redirecting to ${redirectTarget(uri, response)}; redirects are not followed, configure the final URL`,
      );
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`JWKS endpoint answered HTTP ${response.status}`);
    }
    let text: string;
    try {
      text = await readCappedBody(response, policy.maxBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        throw new Error(`JWKS response exceeds ${policy.maxBytes} bytes`);
      }
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error("JWKS response is not JSON");
    }
    const parsed = jwksDocumentSchema.safeParse(json);
    if (!parsed.success) throw new Error("JWKS response is not a key set ({ keys: [...] })");
    if (parsed.data.keys.length > policy.maxKeys) {
      throw new Error(
        `JWKS lists ${parsed.data.keys.length} keys, more than the limit of ${policy.maxKeys}`,
      );
    }
    return parsed.data.keys;
  } catch (error) {
    throw new Error(describe(error), { cause: error });
  } finally {
    timeout.done();
    deps.closed.removeEventListener("abort", onClose);
  }
}

/** The host a redirect points at (printable, bounded), for the log line; never fetched. */
function redirectTarget(uri: string, response: Response): string {
  const location = response.headers.get("location");
  if (location === null) return "nowhere (no Location header)";
  try {
    return `host ${new URL(location, uri).host.replace(/[^\x21-\x7e]/g, "?").slice(0, 100)}`;
  } catch {
    return "an unparseable Location";
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return "JWKS request timed out";
    if (error.name === "AbortError") return "JWKS request aborted: key set closed";
    const { cause } = error as { cause?: unknown };
    const detail = systemErrorCode(error) ?? (cause instanceof Error ? cause.message : undefined);
    return `${error.message}${detail === undefined ? "" : ` (${detail})`}`;
  }
  return String(error);
}

/** The socket's error code (`ECONNREFUSED`...): Node's fetch nests it one or more causes deep. */
function systemErrorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    if (typeof current !== "object") break;
    const { code } = current as { code?: unknown };
    if (typeof code === "string" && code !== "") return code;
    const { cause, errors } = current as { cause?: unknown; errors?: unknown };
    current = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return undefined;
}

function isStaleConnection(error: unknown): boolean {
  const code = systemErrorCode(error);
  return code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE";
}
