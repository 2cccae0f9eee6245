import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { JWKS_FETCH_ATTRIBUTES } from "../src/key-set/jwks-fetch-span.ts";
import {
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  AuthError,
  createAccessTokenVerifier,
} from "../src/server.ts";
import { ManualClock } from "../src/testing.ts";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();
const tracer = provider.getTracer("test");

let issuer: LocalIssuer;
const verifiers: AccessTokenVerifier[] = [];

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});
beforeEach(async () => {
  issuer = await startLocalIssuer();
});
afterEach(async () => {
  for (const verifier of verifiers.splice(0)) verifier.keySet.close();
  await issuer.close();
  exporter.reset();
});

function verifierWith(options: Partial<AccessTokenVerifierOptions> = {}) {
  const verifier = createAccessTokenVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksUri: issuer.jwksUri,
    ...options,
  });
  verifiers.push(verifier);
  return verifier;
}

const fetchSpans = (): ReadableSpan[] =>
  exporter.getFinishedSpans().filter((span) => span.name === "jwks fetch");

/** Run `work` inside a span standing for the request that needs the keys; returns its id. */
async function inRequest(work: () => Promise<unknown>): Promise<string> {
  return tracer.startActiveSpan("request", async (span) => {
    try {
      await work();
    } finally {
      span.end();
    }
    return span.spanContext().spanId;
  });
}

describe("JWKS fetch spans", () => {
  it("makes the fetch a request waits on a client span of the request: URL, trigger, status, keys", async () => {
    const verifier = verifierWith();
    const jwt = await issuer.signToken();
    const requestSpanId = await inRequest(() => verifier.verify(jwt));
    const [span] = fetchSpans();
    expect(fetchSpans()).toHaveLength(1);
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.parentSpanContext?.spanId).toBe(requestSpanId);
    expect(span?.attributes).toEqual({
      [JWKS_FETCH_ATTRIBUTES.method]: "GET",
      [JWKS_FETCH_ATTRIBUTES.url]: issuer.jwksUri,
      [JWKS_FETCH_ATTRIBUTES.serverAddress]: "127.0.0.1",
      [JWKS_FETCH_ATTRIBUTES.trigger]: "cold",
      [JWKS_FETCH_ATTRIBUTES.status]: 200,
      [JWKS_FETCH_ATTRIBUTES.keys]: issuer.keys().published.length,
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("marks a failed fetch with the message the logs get, never the body", async () => {
    issuer.setJwksMode("invalid-json");
    const verifier = verifierWith();
    const jwt = await issuer.signToken();
    await expect(verifier.verify(jwt)).rejects.toBeInstanceOf(AuthError);
    const [span] = fetchSpans();
    expect(span?.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: "JWKS response is not JSON",
    });
    expect(span?.attributes[JWKS_FETCH_ATTRIBUTES.status]).toBe(200);
    expect(span?.attributes[JWKS_FETCH_ATTRIBUTES.keys]).toBeUndefined();
  });

  it("starts a trace of its own for a refresh the timer runs, even when it fires inside a request", async () => {
    const clock = new ManualClock();
    const verifier = verifierWith({ clock, keySet: { maxAgeMs: 60_000 } });
    expect(await verifier.keySet.warm()).toBe(true);
    await inRequest(async () => {
      clock.advance(60_000);
      await vi.waitFor(() => expect(fetchSpans()).toHaveLength(2));
    });
    const [warm, refresh] = fetchSpans();
    expect(warm?.attributes[JWKS_FETCH_ATTRIBUTES.trigger]).toBe("warm");
    expect(refresh?.attributes[JWKS_FETCH_ATTRIBUTES.trigger]).toBe("max_age");
    expect(refresh?.parentSpanContext).toBeUndefined();
  });

  it("redacts a user and password in the JWKS URL", async () => {
    const url = new URL(issuer.jwksUri);
    url.username = "jwks-user";
    url.password = "jwks-password";
    const verifier = verifierWith({ jwksUri: url.href });
    await verifier.keySet.warm();
    const [span] = fetchSpans();
    const written = JSON.stringify(span?.attributes);
    expect(span?.attributes[JWKS_FETCH_ATTRIBUTES.url]).toBe(
      issuer.jwksUri.replace("http://", "http://REDACTED:REDACTED@"),
    );
    expect(written).not.toContain("jwks-user");
    expect(written).not.toContain("jwks-password");
  });
});
