import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { ContextDeps } from "../trpc/context.ts";
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
    if (path.startsWith("/trpc/")) return trpc(req, res);
    const isGet = req.method === "GET" || req.method === "HEAD";
    if (isRestPath(path)) {
      if (!isGet) return methodNotAllowed(res);
      return handleRestRoute(options, path, req, res);
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

function methodNotAllowed(res: ServerResponse): void {
  sendJson(res, 405, { error: "method_not_allowed", message: "Use GET" }, { allow: "GET, HEAD" });
}
