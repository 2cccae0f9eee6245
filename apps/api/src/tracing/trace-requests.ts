import type { IncomingMessage, Server, ServerResponse } from "node:http";
import {
  type Attributes,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_SCHEME,
} from "@opentelemetry/semantic-conventions";
import { routeLabel } from "../metrics/route-label.ts";

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** The methods the HTTP conventions name; any other is `_OTHER` (a client picks the method). */
const KNOWN_METHODS = new Set([
  "CONNECT",
  "DELETE",
  "GET",
  "HEAD",
  "OPTIONS",
  "PATCH",
  "POST",
  "PUT",
  "TRACE",
]);

/**
 * A server span per request of `server`, made active while the server's own `request` listeners
 * run, so that the spans they lead to (procedure calls, a JWKS fetch a request waits on) are its
 * children. Call once, after every `request` listener is in place (they are moved behind this
 * one). A caller's W3C `traceparent` is honoured: the span joins the caller's trace.
 *
 * Attributes: `http.request.method`, `http.route` (the metrics' route label: a fixed set, never
 * the URL, which is the caller's and may carry anything), `url.scheme` and, once answered,
 * `http.response.status_code`; a 5xx marks the span failed. Never a header, the query or the body.
 */
export function traceRequests(server: Server, tracer: Tracer): void {
  const listeners = server.listeners("request") as RequestListener[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const method =
      req.method !== undefined && KNOWN_METHODS.has(req.method) ? req.method : "_OTHER";
    const route = routeLabel(req.url);
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: method,
      [ATTR_HTTP_ROUTE]: route,
      [ATTR_URL_SCHEME]: "http",
    };
    const parent = propagation.extract(context.active(), req.headers);
    const name = `${method === "_OTHER" ? "HTTP" : method} ${route}`;
    const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    // "close" comes after "finish" for an answered request, and alone for one cut short.
    res.once("close", () => endRequestSpan(span, res));
    context.with(trace.setSpan(parent, span), () => {
      for (const listener of listeners) listener.call(server, req, res);
    });
  });
}

function endRequestSpan(span: Span, res: ServerResponse): void {
  if (res.headersSent) {
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
    if (res.statusCode >= 500) {
      span.setAttribute(ATTR_ERROR_TYPE, String(res.statusCode));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }
  span.end();
}
