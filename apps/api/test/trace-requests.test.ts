import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { traceRequests } from "../src/tracing/trace-requests.ts";

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let server: Server;
let base: string;
/** What the server's own listeners saw: the active span's id when each ran. */
let seen: { listener: string; activeSpanId: string | undefined }[] = [];

beforeAll(async () => {
  provider.register();
  server = createServer((req, res) => {
    seen.push({ listener: "api", activeSpanId: trace.getActiveSpan()?.spanContext().spanId });
    if (req.url?.startsWith("/hang")) return; // answered never: the client gives up
    res.writeHead(req.url === "/readyz" ? 503 : 200).end("ok");
  });
  server.prependListener("request", () => {
    seen.push({ listener: "metrics", activeSpanId: trace.getActiveSpan()?.spanContext().spanId });
  });
  traceRequests(server, provider.getTracer("test"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});
afterEach(() => {
  exporter.reset();
  seen = [];
});

function send(method: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<number>((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

async function finishedSpan() {
  for (;;) {
    const [span] = exporter.getFinishedSpans();
    if (span !== undefined) return span;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("traceRequests", () => {
  it("runs every listener of the server, in order, inside the request's server span", async () => {
    expect(await send("GET", "/trpc/protected?input=%7B%22token%22%3A%22s3cret%22%7D")).toBe(200);
    const span = await finishedSpan();
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.name).toBe("GET /trpc/protected");
    expect(span.attributes).toEqual({
      "http.request.method": "GET",
      "http.route": "/trpc/protected",
      "url.scheme": "http",
      "http.response.status_code": 200,
    });
    const id = span.spanContext().spanId;
    expect(seen).toEqual([
      { listener: "metrics", activeSpanId: id },
      { listener: "api", activeSpanId: id },
    ]);
    expect(JSON.stringify(span.attributes)).not.toContain("s3cret");
  });

  it("names the route by its label, never the path a caller chose", async () => {
    await send("GET", "/wp-admin/%3Cscript%3E");
    const span = await finishedSpan();
    expect(span.name).toBe("GET other");
    expect(span.attributes["http.route"]).toBe("other");
  });

  it("marks a 5xx answer failed, and only that", async () => {
    expect(await send("GET", "/readyz")).toBe(503);
    const span = await finishedSpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({
      "http.response.status_code": 503,
      "error.type": "503",
    });
  });

  it("calls a method the conventions do not name _OTHER", async () => {
    // A WebDAV method: Node parses it, the HTTP conventions do not list it.
    expect(await send("PROPFIND", "/healthz")).toBe(200);
    const span = await finishedSpan();
    expect(span.name).toBe("HTTP /healthz");
    expect(span.attributes["http.request.method"]).toBe("_OTHER");
  });

  it("joins the caller's trace from its traceparent header", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    await send("GET", "/healthz", { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    const span = await finishedSpan();
    expect(span.spanContext().traceId).toBe(traceId);
    expect(span.parentSpanContext?.spanId).toBe("00f067aa0ba902b7");
  });

  it("ends the span of a request cut off before its answer, without a status code", async () => {
    const req = request(`${base}/hang`, { agent: false });
    req.on("error", () => {});
    req.end();
    await new Promise<void>((resolve) => {
      const check = () => (seen.length === 2 ? resolve() : setImmediate(check));
      check();
    });
    req.destroy();
    const span = await finishedSpan();
    expect(span.name).toBe("GET other");
    expect(span.attributes["http.response.status_code"]).toBeUndefined();
  });
});
