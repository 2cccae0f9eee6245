import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { NO_STORE } from "@repo/api-router";
import type { AnyTRPCRouter } from "@trpc/server";
import type { HttpLimits } from "../config.ts";
import { handleClientError } from "./client-error.ts";
import {
  PROTECTED_RESOURCE_METADATA_PATH,
  sendProtectedResourceMetadata,
} from "./protected-resource-metadata.ts";
import { readinessOf } from "./readiness.ts";
import type { EdgeDeps } from "./request-credentials.ts";
import { handleRestRoute, isRestPath } from "./rest-routes.ts";
import { sendJson, sendTrpcError } from "./send-json.ts";
import { createTrpcHandler } from "./trpc-handler.ts";

export interface ApiServerOptions extends EdgeDeps {
  readonly maxBodyBytes: number;
  readonly limits: HttpLimits;
  /** See TrpcHandlerOptions.fastPath. Default true. */
  readonly fastPath?: boolean;
  /** See TrpcHandlerOptions.router. Default: the api's router. */
  readonly router?: AnyTRPCRouter;
  /**
   * True once shutdown has begun: /readyz answers 503 so that load balancers stop sending. Its
   * detail is served by the metrics listener (readiness.ts).
   */
  readonly shuttingDown?: () => boolean;
}

/**
 * The api's HTTP server: /trpc/* through tRPC, the REST routes, health and readiness. Anything
 * else is a clean 404 or 405; an unexpected failure is a 500 with no detail, never a crash.
 */
export function createApiServer(options: ApiServerOptions): Server {
  const { verifier, log, limits } = options;
  const { nonces } = options.dpop;
  const trpc = createTrpcHandler({ ...options, maxBatchSize: limits.maxBatchSize });

  function route(req: IncomingMessage, res: ServerResponse): void | Promise<void> {
    const url = req.url ?? "/";
    // Node bounds the request line only together with the headers (maxHeaderSize); a long target
    // is refused on its own before anything parses it (RFC 9110 §15.5.15). The target arrives as
    // latin1 text, one character per byte.
    if (url.length > limits.maxUrlBytes) return uriTooLong(res, limits.maxUrlBytes);
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    const isTrpc = path.startsWith("/trpc/");
    // Every tRPC answer depends on the caller's token or could (a batch mixes public and protected
    // calls): set here, before any branch answers, so that none goes without it.
    if (isTrpc) res.setHeader("cache-control", NO_STORE["cache-control"]);
    // RFC 9449 §8.2: the current nonce goes on every answer to a request with a proof, so the
    // client has it before the nonce it holds goes stale.
    if (nonces !== undefined && req.headers.dpop !== undefined) {
      res.setHeader("dpop-nonce", nonces.current());
    }
    // A declared body over the limit is refused before routing: tRPC checks its maxBodySize only
    // while reading a body, and no route reads one it does not need, so the limit would otherwise
    // be invisible to the client.
    if (Number(req.headers["content-length"] ?? 0) > options.maxBodyBytes) {
      return payloadTooLarge(res, isTrpc, options.maxBodyBytes);
    }
    if (isTrpc) {
      // tRPC answers other methods 415 "Missing content-type header"; the truth is 405.
      return TRPC_METHODS.has(req.method ?? "") ? trpc(req, res) : trpcMethodNotAllowed(res);
    }
    const isGet = req.method === "GET" || req.method === "HEAD";
    if (isRestPath(path)) {
      if (!isGet) return methodNotAllowed(res);
      return handleRestRoute(options, path, req, res);
    }
    if (path === PROTECTED_RESOURCE_METADATA_PATH) {
      return isGet
        ? sendProtectedResourceMetadata(res, verifier, options.dpop)
        : methodNotAllowed(res);
    }
    if (path === "/healthz") {
      return isGet ? sendJson(res, 200, { status: "ok" }) : methodNotAllowed(res);
    }
    if (path === "/readyz") {
      if (!isGet) return methodNotAllowed(res);
      const readiness = readinessOf(
        verifier.keySet.status(),
        options.shuttingDown?.() === true,
        options.messages.status(),
      );
      return sendJson(res, readiness.status, readiness.public, NO_STORE);
    }
    // A fixed text: the path is the caller's, and an answer never repeats it.
    return sendJson(res, 404, { error: "not_found", message: "Not found" });
  }

  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
    },
    (req, res) => {
      try {
        const done = route(req, res);
        if (done instanceof Promise) done.catch((error: unknown) => fail(res, error));
      } catch (error) {
        fail(res, error);
      }
    },
  );

  function fail(res: ServerResponse, error: unknown): void {
    log.error({ event: "request_failed", err: error }, "request failed");
    if (!res.headersSent)
      sendJson(res, 500, { error: "internal_error", message: "Internal server error" });
    else res.destroy();
  }

  server.on("clientError", handleClientError);
  return server;
}

/**
 * GET for queries, POST for mutations. HEAD is refused too: tRPC would answer it 204 without
 * calling anything, a 2xx on a protected path that verified nothing.
 */
const TRPC_METHODS = new Set(["GET", "POST"]);

function trpcMethodNotAllowed(res: ServerResponse): void {
  const message = "Use GET for queries and POST for mutations";
  sendTrpcError(res, 405, "METHOD_NOT_SUPPORTED", message, { allow: "GET, POST" });
}

function payloadTooLarge(res: ServerResponse, trpc: boolean, maxBytes: number): void {
  const message = `Request body over ${maxBytes} bytes`;
  // The unread body is not wanted: close the connection after answering rather than drain it.
  const headers = { connection: "close" };
  if (trpc) sendTrpcError(res, 413, "PAYLOAD_TOO_LARGE", message, headers);
  else sendJson(res, 413, { error: "payload_too_large", message }, headers);
}

function uriTooLong(res: ServerResponse, maxBytes: number): void {
  const message = `Request target over ${maxBytes} bytes`;
  sendJson(res, 414, { error: "uri_too_long", message }, { connection: "close" });
}

function methodNotAllowed(res: ServerResponse): void {
  sendJson(res, 405, { error: "method_not_allowed", message: "Use GET" }, { allow: "GET, HEAD" });
}
