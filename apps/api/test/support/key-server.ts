import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { JWK } from "jose";

/**
 * A tiny HTTP server on an ephemeral port that answers every request with one JWKS and counts the
 * requests. Two uses: a tenant whose JWKS holds keys a verifier must ignore (`use: enc`, RSA 1024,
 * ...), and a trap that a token's `jku`/`x5u` header points at, whose count must stay 0.
 */
export interface KeyServer {
  readonly url: string;
  /** `${url}/.well-known/jwks.json` (any path answers the same). */
  readonly jwksUri: string;
  hits(): number;
  /** Paths requested, in order (to say what a verifier fetched, if it ever did). */
  paths(): readonly string[];
  close(): Promise<void>;
}

export async function startKeyServer(keys: readonly JWK[]): Promise<KeyServer> {
  const paths: string[] = [];
  const body = JSON.stringify({ keys });
  const server = createServer((req, res) => {
    paths.push(req.url ?? "");
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    jwksUri: `${url}/.well-known/jwks.json`,
    hits: () => paths.length,
    paths: () => [...paths],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
