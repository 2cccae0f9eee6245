import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LoopbackServer {
  /** Base URL, no trailing slash. */
  readonly url: string;
  /** Requests received so far (any path). */
  readonly requests: number;
  close(): Promise<void>;
}

/** A plain HTTP server on 127.0.0.1 and an ephemeral port, answering with `handler`. */
export async function startLoopbackServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<LoopbackServer> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Answer 200 with an endless body (or one of `totalBytes`), written only as fast as the client
 * reads it (backpressure), so the server never buffers more than the socket does. `sent()` counts
 * the bytes handed to the socket.
 */
export function streamBody(
  res: ServerResponse,
  options: { readonly totalBytes?: number; readonly chunk?: Buffer; readonly prefix?: string } = {},
): { sent(): number; readonly finished: Promise<void> } {
  const chunk = options.chunk ?? Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  res.writeHead(200, { "content-type": "application/json" });
  const finished = new Promise<void>((resolve) => {
    res.once("close", () => resolve());
  });
  if (options.prefix !== undefined) {
    res.write(options.prefix);
    sent += Buffer.byteLength(options.prefix);
  }
  const pump = () => {
    while (!res.destroyed) {
      if (options.totalBytes !== undefined && sent >= options.totalBytes) {
        res.end();
        return;
      }
      sent += chunk.byteLength;
      if (!res.write(chunk)) {
        res.once("drain", pump);
        return;
      }
    }
  };
  pump();
  return { sent: () => sent, finished };
}
