import type { ServerResponse } from "node:http";

export type Headers = Record<string, string | number>;

/** Writes a JSON body; ignores responses the client already abandoned. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Headers = {},
) {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendNotFound(res: ServerResponse, method: string, path: string): void {
  sendJson(res, 404, { error: "not_found", error_description: `no route for ${method} ${path}` });
}

export function sendMethodNotAllowed(res: ServerResponse, allowed: string[]): void {
  sendJson(
    res,
    405,
    { error: "method_not_allowed", error_description: `use ${allowed.join(" or ")}` },
    { Allow: allowed.join(", ") },
  );
}
