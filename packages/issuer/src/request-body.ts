import type { IncomingMessage } from "node:http";
import { OAuthError } from "./oauth-error.ts";

/**
 * Reads the whole request body as UTF-8, refusing it with 413 once it exceeds `maxBytes` (checked
 * on Content-Length first so an honest oversized request is refused without reading it).
 */
export function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const tooLarge = () =>
    new OAuthError("invalid_request", `request body exceeds ${maxBytes} bytes`, 413);
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    // Drain rather than destroy, so the client can still read the 413.
    req.resume();
    return Promise.reject(tooLarge());
  }

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      action();
    };
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        settle(() => reject(tooLarge()));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => settle(() => resolve(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", (error) => settle(() => reject(error)));
  });
}
