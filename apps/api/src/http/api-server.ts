import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { ContextDeps } from "../trpc/context.ts";
import {
  PROTECTED_RESOURCE_METADATA_PATH,
  sendProtectedResourceMetadata,
} from "./protected-resource-metadata.ts";
import { handleRestRoute, isRestPath } from "./rest-routes.ts";
import { sendJson } from "./send-json.ts";
import { createTrpcHandler } from "./trpc-handler.ts";

export interface ApiServerOptions extends ContextDeps {
  readonly maxBodyBytes: number;
  /** See TrpcHandlerOptions.fastPath. Default true. */
  readonly fastPath?: boolean;
}

/**
 * The api's HTTP server: /trpc/* through tRPC, the REST routes, health and readiness. Anything
 * else is a clean 404 or 405; an unexpected failure is a 500 with no detail, never a crash.
 */
export function createApiServer(options: ApiServerOptions): Server {
  const trpc = createTrpcHandler(options);
  const { verifier, log } = options;

  function route(req: IncomingMessage, res: ServerResponse): void | Promise<void> {
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const path = query === -1 ? url : url.slice(0, query);
    const isTrpc = path.startsWith("/trpc/");
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
      return isGet ? sendProtectedResourceMetadata(res, verifier) : methodNotAllowed(res);
    }
    if (path === "/healthz") {
      return isGet ? sendJson(res, 200, { status: "ok" }) : methodNotAllowed(res);
    }
    if (path === "/readyz") {
      if (!isGet) return methodNotAllowed(res);
      const keySet = verifier.keySet.status();
      if (keySet.ready) {
        return sendJson(res, 200, {
          status: "ready",
          keySet: { state: keySet.state, keys: keySet.kids.length },
        });
      }
      const reason =
        keySet.state === "empty"
          ? "signing keys not loaded yet"
          : "signing keys expired: refreshes have failed past the max-stale bound";
      return sendJson(res, 503, {
        status: "not_ready",
        reason,
        lastError: keySet.lastError ?? null,
      });
    }
    return sendJson(res, 404, { error: "not_found", message: `No route ${path}` });
  }

  const server = createServer((req, res) => {
    try {
      const done = route(req, res);
      if (done instanceof Promise) done.catch((error: unknown) => fail(res, error));
    } catch (error) {
      fail(res, error);
    }
  });

  function fail(res: ServerResponse, error: unknown): void {
    log.error({ event: "request_failed", err: error }, "request failed");
    if (!res.headersSent)
      sendJson(res, 500, { error: "internal_error", message: "Internal server error" });
    else res.destroy();
  }

  // A client error (malformed HTTP) gets a plain 400; it must never become an unhandled error.
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    else socket.destroy();
  });
  return server;
}

/**
 * GET for queries, POST for mutations. HEAD is refused too: tRPC would answer it 204 without
 * calling anything, a 2xx on a protected path that verified nothing.
 */
const TRPC_METHODS = new Set(["GET", "POST"]);

/** The tRPC error envelope (as the adapter writes it), so tRPC clients read the code. */
function trpcError(message: string, code: string, jsonRpcCode: number, httpStatus: number) {
  return { error: { message, code: jsonRpcCode, data: { code, httpStatus } } };
}

function trpcMethodNotAllowed(res: ServerResponse): void {
  const body = trpcError(
    "Use GET for queries and POST for mutations",
    "METHOD_NOT_SUPPORTED",
    -32005,
    405,
  );
  sendJson(res, 405, body, { allow: "GET, POST" });
}

function payloadTooLarge(res: ServerResponse, trpc: boolean, maxBytes: number): void {
  const message = `Request body over ${maxBytes} bytes`;
  const body = trpc
    ? trpcError(message, "PAYLOAD_TOO_LARGE", -32013, 413)
    : { error: "payload_too_large", message };
  // The unread body is not wanted: close the connection after answering rather than drain it.
  sendJson(res, 413, body, { connection: "close" });
}

function methodNotAllowed(res: ServerResponse): void {
  sendJson(res, 405, { error: "method_not_allowed", message: "Use GET" }, { allow: "GET, HEAD" });
}
