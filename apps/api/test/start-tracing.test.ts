import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { builtApi } from "./support/build-api.ts";
import { closedPortUrl } from "./support/closed-port-url.ts";
import {
  type OtlpReceiver,
  type ReceivedSpan,
  startOtlpReceiver,
} from "./support/otlp-receiver.ts";
import {
  type EntryPointEnv,
  type EntryPointLaunch,
  runEntryPoint,
  type SpawnedApi,
  spawnApi,
} from "./support/start-stack.ts";

// The api's real entry point (src/main.ts) with OTEL_* variables, exporting to a local OTLP/HTTP
// receiver: what an operator gets by pointing OTEL_EXPORTER_OTLP_ENDPOINT at a collector.
const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;
const STATUS_ERROR = 2;
/** A caller's W3C trace context: its trace id and its span id. */
const CALLER = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" };

let issuer: LocalIssuer;
let receiver: OtlpReceiver;
const started: SpawnedApi[] = [];
const cleanups: (() => void)[] = [];
// The bundle as `pnpm build` makes it (everything inlined, the exporters included), next to the
// sources: tracing must survive the bundling.
const bundle = builtApi();

beforeAll(async () => {
  [issuer] = await Promise.all([startLocalIssuer(), bundle.build()]);
});
afterAll(async () => {
  await issuer.close();
  bundle.remove();
});
afterEach(async () => {
  for (const api of started.splice(0)) await api.close();
  await receiver?.close();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** The entry point on the local issuer with `env`, and a fresh receiver for it to export to. */
async function spawnTraced(
  env: (receiverUrl: string) => EntryPointEnv,
  launch?: EntryPointLaunch,
): Promise<SpawnedApi> {
  receiver = await startOtlpReceiver();
  const api = await spawnApi(
    {
      AUTHACTION_ISSUER: issuer.issuer,
      AUTHACTION_AUDIENCE: issuer.audience,
      AUTHACTION_JWKS_URI: issuer.jwksUri,
      // Production mode (the bundle, or no NODE_ENV) requires a database; none answers here, and
      // the api serves its procedures all the same.
      DATABASE_URL: "postgres://api:unused@127.0.0.1:9/api",
      ...env(receiver.url),
    },
    launch,
  );
  started.push(api);
  return api;
}

async function call(api: SpawnedApi, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${api.url}${path}`, { headers });
  await response.arrayBuffer();
  return response.status;
}

/** The spans `predicate` picks once there are `count` of them, oldest first. */
async function spansWhere(
  predicate: (span: ReceivedSpan) => boolean,
  count = 1,
): Promise<ReceivedSpan[]> {
  let found: ReceivedSpan[] = [];
  await vi.waitFor(
    () => {
      found = receiver.spans().filter(predicate);
      if (found.length < count) throw new Error(`${found.length} of ${count} spans received`);
    },
    { timeout: 10_000, interval: 20 },
  );
  return found.sort((a, b) => a.startTimeUnixNano.localeCompare(b.startTimeUnixNano));
}

const requestSpans = (route: string, count = 1) =>
  spansWhere((s) => s.kind === SPAN_KIND.server && s.attributes["http.route"] === route, count);

/** The one procedure span under `request` (waits for it). */
async function procedureSpansOf(request: ReceivedSpan, count = 1): Promise<ReceivedSpan[]> {
  return spansWhere(
    (s) => s.parentSpanId === request.spanId && s.traceId === request.traceId,
    count,
  );
}

describe.each([
  ["the sources' entry point", undefined],
  ["the built dist/main.js", bundle.launch],
])("traces over OTLP/HTTP from %s", (_, launch) => {
  it("exports request, procedure and JWKS fetch spans with their attributes, and never the token", async () => {
    const api = await spawnTraced(
      (url) => ({
        OTEL_EXPORTER_OTLP_ENDPOINT: url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_BSP_SCHEDULE_DELAY: "20",
        OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=test",
      }),
      launch,
    );
    const jwt = await issuer.signToken({ scope: "read:secret write:messages" });
    const tampered = `${jwt.slice(0, -4)}AAAA`;
    const bearer = { authorization: `Bearer ${jwt}` };
    const traceparent = `00-${CALLER.traceId}-${CALLER.spanId}-01`;
    expect(await call(api, "/trpc/public", { traceparent })).toBe(200);
    expect(await call(api, "/trpc/protected", bearer)).toBe(200);
    expect(await call(api, "/trpc/protected", bearer)).toBe(200);
    expect(await call(api, "/trpc/protected", { authorization: `Bearer ${tampered}` })).toBe(401);
    expect(await call(api, "/trpc/public,protected?batch=1", bearer)).toBe(200);
    expect(await call(api, "/protected", bearer)).toBe(200);

    // A public call: the request span joins the caller's trace; its procedure span is its child.
    const [publicRequest] = await requestSpans("/trpc/public");
    expect(publicRequest).toMatchObject({
      name: "GET /trpc/public",
      traceId: CALLER.traceId,
      parentSpanId: CALLER.spanId,
      attributes: {
        "http.request.method": "GET",
        "http.route": "/trpc/public",
        "http.response.status_code": 200,
        "url.scheme": "http",
      },
      resource: { "service.name": "trpc-m2m-api", "deployment.environment.name": "test" },
    });
    const [publicCall] = await procedureSpansOf(publicRequest as ReceivedSpan);
    expect(publicCall).toMatchObject({
      name: "trpc.query public",
      kind: SPAN_KIND.internal,
      attributes: {
        "rpc.system": "trpc",
        "trpc.procedure.path": "public",
        "trpc.procedure.type": "query",
      },
    });
    expect(publicCall?.attributes["auth.outcome"]).toBeUndefined();

    // Protected calls: verified, then a cache hit, then refused with the AuthError code.
    const protectedRequests = await requestSpans("/trpc/protected", 3);
    expect(protectedRequests.map((s) => s.attributes["http.response.status_code"])).toEqual([
      200, 200, 401,
    ]);
    const protectedCalls = await Promise.all(
      protectedRequests.map(async (request) => (await procedureSpansOf(request))[0]),
    );
    expect(protectedCalls.map((s) => s?.attributes["auth.outcome"])).toEqual([
      "verified",
      "cache_hit",
      "refused",
    ]);
    for (const span of protectedCalls.slice(0, 2)) {
      expect(span?.attributes).toMatchObject({
        "trpc.procedure.path": "protected",
        "auth.subject": "demo-client@clients",
        "auth.scopes": ["read:secret", "write:messages"],
      });
    }
    expect(protectedCalls[2]?.attributes).toMatchObject({
      "auth.refusal_reason": "bad_signature",
      "trpc.error.code": "UNAUTHORIZED",
    });
    expect(protectedCalls[2]?.status.code).not.toBe(STATUS_ERROR);

    // A batch: one request span, a procedure span per call; the REST twin runs the same spans.
    const [batch] = await requestSpans("trpc_batch");
    const batchCalls = await procedureSpansOf(batch as ReceivedSpan, 2);
    expect(batchCalls.map((s) => s.name).sort()).toEqual([
      "trpc.query protected",
      "trpc.query public",
    ]);
    const [rest] = await requestSpans("/protected");
    const [restCall] = await procedureSpansOf(rest as ReceivedSpan);
    expect(restCall?.attributes["auth.outcome"]).toBe("cache_hit");

    // The key set fetched at start: a client span of its own.
    const [jwks] = await spansWhere((s) => s.name === "jwks fetch");
    expect(jwks).toMatchObject({
      kind: SPAN_KIND.client,
      parentSpanId: undefined,
      attributes: {
        "url.full": issuer.jwksUri,
        "http.response.status_code": 200,
        "jwks.trigger": "warm",
        "jwks.keys": 1,
      },
    });

    // Nothing anywhere in what was sent holds the token, any part of it, or the header.
    const sent = receiver.rawText();
    const [header, payload, signature] = jwt.split(".");
    for (const secret of [jwt, header, payload, signature, tampered.split(".")[2], "Bearer"]) {
      expect(sent).not.toContain(secret);
    }
  });

  it("sends what is still buffered at shutdown, over OTLP/protobuf by default", async () => {
    const api = await spawnTraced(
      (url) => ({
        OTEL_EXPORTER_OTLP_ENDPOINT: url,
        // Far longer than the test: only the shutdown can send these spans.
        OTEL_BSP_SCHEDULE_DELAY: "600000",
      }),
      launch,
    );
    const jwt = await issuer.signToken();
    expect(await call(api, "/trpc/protected", { authorization: `Bearer ${jwt}` })).toBe(200);
    expect(receiver.exports()).toEqual([]);
    await api.close();
    const exports = receiver.exports();
    expect(exports.length).toBeGreaterThan(0);
    expect(exports.map((e) => e.contentType)).toEqual(exports.map(() => "application/x-protobuf"));
    const sent = receiver.rawText();
    for (const text of [
      "trpc-m2m-api",
      "GET /trpc/protected",
      "trpc.query protected",
      "jwks fetch",
    ]) {
      expect(sent).toContain(text);
    }
    expect(sent).not.toContain(jwt.split(".")[2]);
  });

  it("takes OTEL_* from .env like every other variable, procedure spans included", async () => {
    const dir = mkdtempSync(join(tmpdir(), "api-otel-env-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dotEnv = join(dir, ".env");
    const api = await spawnTraced((url) => {
      writeFileSync(
        dotEnv,
        `OTEL_EXPORTER_OTLP_ENDPOINT=${url}\nOTEL_EXPORTER_OTLP_PROTOCOL=http/json\nOTEL_BSP_SCHEDULE_DELAY=20\n`,
      );
      // .env is read outside tests only (loadDotEnv): no NODE_ENV, as in production.
      return { NODE_ENV: undefined, DOTENV_PATH: dotEnv };
    }, launch);
    expect(await call(api, "/trpc/public")).toBe(200);
    const [request] = await requestSpans("/trpc/public");
    const [procedure] = await procedureSpansOf(request as ReceivedSpan);
    expect(procedure?.name).toBe("trpc.query public");
  });
});

describe("traces off, or asked for in a way the api cannot honour", () => {
  it("starts nothing without an endpoint: the other OTEL_* variables are not even read", async () => {
    // grpc and the sampler typo would be refused at start (otlp-traces-settings.ts) if traces were on.
    const api = await spawnApi({
      AUTHACTION_ISSUER: issuer.issuer,
      AUTHACTION_AUDIENCE: issuer.audience,
      OTEL_SERVICE_NAME: "unused",
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      OTEL_TRACES_SAMPLER: "alwyas_on",
    });
    started.push(api);
    const jwt = await issuer.signToken();
    expect(await call(api, "/trpc/public")).toBe(200);
    expect(await call(api, "/trpc/protected", { authorization: `Bearer ${jwt}` })).toBe(200);
    await api.close();
    expect(api.rawLogs()).not.toContain("otel");
  });

  it("sends nothing, even at shutdown, when OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none says so", async () => {
    for (const off of [{ OTEL_SDK_DISABLED: "true" }, { OTEL_TRACES_EXPORTER: "none" }]) {
      const api = await spawnTraced((url) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: url, ...off }));
      expect(await call(api, "/trpc/public")).toBe(200);
      await api.close();
      expect(receiver.exports()).toEqual([]);
      await receiver.close();
    }
  });

  it("refuses to start, in one line naming the variable, when asked for OTLP over gRPC", async () => {
    const { code, stdout, stderr } = await runEntryPoint({
      AUTHACTION_ISSUER: issuer.issuer,
      AUTHACTION_AUDIENCE: issuer.audience,
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4317",
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "grpc",
    });
    expect(code).toBe(1);
    expect(stdout).not.toContain('"event":"listening"');
    expect(stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^api: configuration error: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: /),
    ]);
  });

  it("logs an unreachable collector as a warning and goes on serving", async () => {
    const unreachable = await closedPortUrl();
    const api = await spawnTraced(() => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: unreachable,
      OTEL_BSP_SCHEDULE_DELAY: "20",
      OTEL_EXPORTER_OTLP_TIMEOUT: "300",
    }));
    expect(await call(api, "/trpc/public")).toBe(200);
    await api.waitForLogs(
      (logs) => logs.some((line) => line.event === "otel_error"),
      "an otel_error line",
    );
    const line = api.logs.find((l) => l.event === "otel_error");
    expect(line).toMatchObject({ level: 40, suppressed: 0 });
    expect(String(line?.msg)).toMatch(/^OpenTelemetry: /);
    expect(await call(api, "/trpc/public")).toBe(200);
  });
});
