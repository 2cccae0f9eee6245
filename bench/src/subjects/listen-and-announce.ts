import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { SubjectEnv } from "./subject-env.ts";

/**
 * Listen where the environment says (PORT 0: a port the OS picks) and print the line the api
 * logs once it listens, `{"event":"listening","url":...}`: the benchmark starts every subject
 * the same way and reads where it listens from that line.
 */
export function listenAndAnnounce(server: Server, env: SubjectEnv): void {
  server.listen(env.port, env.host, () => {
    const { port } = server.address() as AddressInfo;
    console.log(JSON.stringify({ event: "listening", url: `http://${env.host}:${port}` }));
  });
}
