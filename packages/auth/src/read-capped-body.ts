/** The body grew past the cap: the connection was cancelled after `maxBytes` bytes at most. */
export class BodyTooLargeError extends Error {
  override readonly name = "BodyTooLargeError";
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    super(`body exceeds ${maxBytes} bytes`);
    this.maxBytes = maxBytes;
  }
}

/**
 * Read a response body as UTF-8 text, holding at most `maxBytes` bytes: the stream is read chunk
 * by chunk and cancelled as soon as the count passes the cap, so an endless or huge body costs
 * `maxBytes` of memory, never its full size (`response.text()` buffers it all before any check
 * could run, and string length counts UTF-16 units, not bytes).
 *
 * @throws BodyTooLargeError past the cap (declared by Content-Length or actually received); the
 *   read's own errors (abort, timeout, connection reset) otherwise.
 */
export async function readCappedBody(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(maxBytes);
  }
  const body = response.body;
  if (body === null) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new BodyTooLargeError(maxBytes);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return new TextDecoder().decode(Buffer.concat(chunks, total));
}
