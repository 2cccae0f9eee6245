import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { sendJson, sendMethodNotAllowed, sendNotFound } from "./json-response.ts";

export interface Route {
  methods: readonly string[];
  /** Runs for every request to the path, whatever its method (request counting). */
  onRequest?: () => void;
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
}

/**
 * Dispatches on the exact path: 404 for unknown paths, 405 with `Allow` for wrong methods, and a
 * JSON 500 instead of a crash for anything a handler throws.
 */
export function createRequestListener(
  routes: ReadonlyMap<string, Route>,
  log: (line: string) => void,
): RequestListener {
  return (req, res) => {
    const method = req.method ?? "GET";
    // Only the path matters; query strings are ignored, as a real issuer would.
    const path = (req.url ?? "/").split("?")[0]!;
    res.once("finish", () => log(`${method} ${path} ${res.statusCode}`));

    const route = routes.get(path);
    if (route === undefined) return sendNotFound(res, method, path);
    route.onRequest?.();
    if (!route.methods.includes(method)) return sendMethodNotAllowed(res, [...route.methods]);

    Promise.resolve()
      .then(() => route.handle(req, res))
      .catch((error: unknown) => {
        log(`${method} ${path} failed: ${error instanceof Error ? error.message : String(error)}`);
        sendJson(res, 500, { error: "server_error", error_description: "internal error" });
      });
  };
}
