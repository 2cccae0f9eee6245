import { Agent, type IncomingHttpHeaders, request } from "node:http";
import { connect } from "node:net";

/**
 * HTTP for the security suites, through node:http rather than fetch: fetch folds repeated headers
 * into one line and refuses some header bytes, and these tests must send exactly what an attacker
 * would (two Authorization lines, obs-text bytes).
 */
export interface Exchange {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

export interface SendOptions {
  readonly method?: string;
  /** One value, or several to send several Authorization lines. */
  readonly authorization?: string | readonly string[];
  /** A header given several values is sent as several lines. */
  readonly headers?: Readonly<Record<string, string | number | readonly string[]>>;
  readonly body?: string | Buffer;
  /**
   * For a stream that never ends (an SSE answer): resolve once a 200 answer's body holds this
   * text, then close the connection. Any other status is read to its end.
   */
  readonly readUntil?: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

export function send(baseUrl: string, path: string, options: SendOptions = {}): Promise<Exchange> {
  const url = new URL(baseUrl);
  const headers: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    headers[name] = typeof value === "object" ? [...value] : value;
  }
  if (options.authorization !== undefined) {
    headers.authorization =
      typeof options.authorization === "string"
        ? options.authorization
        : [...options.authorization];
  }
  return new Promise((resolve, reject) => {
    const req = request(
      {
        // An IPv6 literal without its brackets, as node:http wants it.
        host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: url.port,
        path,
        method: options.method ?? "GET",
        headers,
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        const finish = () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        };
        const until = res.statusCode === 200 ? options.readUntil : undefined;
        res.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          if (until !== undefined && Buffer.concat(chunks).toString("utf8").includes(until)) {
            finish();
            req.destroy();
          }
        });
        res.on("end", finish);
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/**
 * Write raw bytes on a fresh TCP connection and collect whatever comes back until the server
 * closes it (or `timeoutMs` passes). For requests no HTTP client will send.
 */
export function rawExchange(baseUrl: string, bytes: string | Buffer, timeoutMs = 2_000) {
  const url = new URL(baseUrl);
  return new Promise<string>((resolve) => {
    let answer = "";
    const socket = connect(Number(url.port), url.hostname, () => socket.write(bytes));
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on("data", (chunk) => {
      answer += chunk.toString("latin1");
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

/** The status code of a raw HTTP/1.1 response ("HTTP/1.1 400 Bad Request" -> 400). */
export function rawStatus(answer: string): number | undefined {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
  return match === null ? undefined : Number(match[1]);
}
