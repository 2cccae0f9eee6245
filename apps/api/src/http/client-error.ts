import type { Duplex } from "node:stream";

/**
 * The status Node itself would answer for a malformed or slow request (its default clientError
 * handling): a header section over maxHeaderSize is 431 (RFC 6585 §5), a request past
 * requestTimeout/headersTimeout 408, anything else 400.
 */
const STATUS_BY_CODE: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: "431 Request Header Fields Too Large",
  ERR_HTTP_REQUEST_TIMEOUT: "408 Request Timeout",
  HPE_CHUNK_EXTENSIONS_OVERFLOW: "413 Payload Too Large",
};

/**
 * The server's clientError listener: a plain answer with no body, then the connection closes. It
 * never throws, so malformed HTTP can never become an unhandled error.
 */
export function handleClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || error.code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  const status = STATUS_BY_CODE[error.code ?? ""] ?? "400 Bad Request";
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}
