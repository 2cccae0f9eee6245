import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One answer written byte for byte, so it can carry what Node's own writer refuses (ESC in a reason phrase). */
export interface RawAnswer {
  readonly status: number;
  readonly reason: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface RawTokenEndpoint {
  readonly tokenUrl: string;
  /** Bodies of the token requests received. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * A loopback token endpoint answering every request with `answer`, written to the socket as is.
 * Only the token endpoint is faked; the request is read in full by Node's parser first.
 */
export async function startRawTokenEndpoint(answer: RawAnswer): Promise<RawTokenEndpoint> {
  const requests: string[] = [];
  const server: Server = createServer((req) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      requests.push(body);
      const payload = Buffer.from(answer.body ?? "", "utf8");
      const headers = {
        "content-type": "application/json",
        ...answer.headers,
        "content-length": String(payload.length),
        connection: "close",
      };
      const head = [
        `HTTP/1.1 ${answer.status} ${answer.reason}`,
        ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
        "",
        "",
      ].join("\r\n");
      req.socket.end(Buffer.concat([Buffer.from(head, "latin1"), payload]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tokenUrl: `http://127.0.0.1:${port}/oauth2/m2m/token`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
