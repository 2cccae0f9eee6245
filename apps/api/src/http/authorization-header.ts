import type { IncomingMessage } from "node:http";

/**
 * The request's Authorization field as the client sent it. Node keeps only the first of several
 * Authorization lines (it drops repeats of singleton fields), so `Authorization: Bearer <a>` and a
 * second `Authorization: Bearer <b>` would pass as one credential. RFC 6750 §3.1 makes a request
 * carrying more than one credential an `invalid_request`, so when there are several every line is
 * returned, for parseBearerHeader to refuse.
 */
export function authorizationHeader(req: IncomingMessage): string | readonly string[] | undefined {
  const value = req.headers.authorization;
  if (value === undefined) return undefined;
  const raw = req.rawHeaders;
  let lines = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 13 && name.toLowerCase() === "authorization") lines++;
  }
  return lines > 1 ? (req.headersDistinct.authorization ?? value) : value;
}
