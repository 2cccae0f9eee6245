import { isIPv4, isIPv6 } from "node:net";

/**
 * Whether a peer address is loopback: IPv4 127.0.0.0/8 (RFC 1122 §3.2.1.3: all of it, not only
 * 127.0.0.1), IPv6 ::1 (RFC 4291 §2.5.3), or either of those IPv4 addresses mapped into IPv6
 * (`::ffff:127.0.0.1`, RFC 4291 §2.5.5.2), as Node reports IPv4 peers of a dual-stack socket.
 * `undefined` (a destroyed socket) is not loopback.
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  if (isIPv4(address)) return address.split(".")[0] === "127";
  if (!isIPv6(address)) return false;
  // The URL parser writes IPv6 in its canonical form (RFC 5952), mapped IPv4 as hex groups.
  const canonical = new URL(`http://[${address}]/`).hostname;
  if (canonical === "[::1]") return true;
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}\]$/.exec(canonical);
  return mapped !== null && Number.parseInt(mapped[1] ?? "", 16) >> 8 === 127;
}

/** Whether binding `host` keeps the server reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  return host.toLowerCase() === "localhost" || isLoopbackAddress(host);
}

/** How to say where a server bound to `host` listens: wildcards are every interface. */
export function describeBindAddress(host: string): string {
  if (host === "0.0.0.0") return "all IPv4 interfaces (0.0.0.0)";
  if (isIPv6(host) && new URL(`http://[${host}]/`).hostname === "[::]") {
    return "all interfaces (::)";
  }
  return host;
}
