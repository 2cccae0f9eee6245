import type { ServerResponse } from "node:http";
import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";

/** Answer with a JSON body; headers given here are added to any already set. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const payload = JSON.stringify(body);
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader("content-type", "application/json");
  res.setHeader("content-length", Buffer.byteLength(payload));
  res.end(payload);
}

/**
 * Answer with tRPC's error envelope, as its adapter writes it (JSON-RPC code, `data.code`,
 * `data.httpStatus`), for refusals decided before tRPC runs, so tRPC clients still read the code.
 */
export function sendTrpcError(
  res: ServerResponse,
  status: number,
  code: TRPC_ERROR_CODE_KEY,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  const body = {
    error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus: status } },
  };
  sendJson(res, status, body, headers);
}
