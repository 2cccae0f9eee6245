import type { AddressInfo } from "node:net";

/**
 * How to reach a listening server (`url`) and where it listens, said truthfully (`listeningOn`):
 * a wildcard bind (0.0.0.0, ::) accepts on every interface of the machine, which is not an address
 * to connect to, so the url names localhost while the log says "all interfaces".
 */
export function describeListenAddress({ address, family, port }: AddressInfo): {
  readonly url: string;
  readonly listeningOn: string;
} {
  const wildcard = address === "0.0.0.0" || address === "::";
  const host = wildcard ? "localhost" : family === "IPv6" ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    listeningOn: wildcard ? `all interfaces (${address}), port ${port}` : `${host}:${port}`,
  };
}
