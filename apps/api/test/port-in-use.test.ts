import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runEntryPoint } from "./support/start-stack.ts";

// A taken port is the commonest start failure in development: one line naming the port and the
// variable that moves it, exit 1, never a stack trace.

let holder: Server;
let taken: number;

beforeAll(async () => {
  holder = createServer();
  holder.listen(0, "127.0.0.1");
  await once(holder, "listening");
  taken = (holder.address() as AddressInfo).port;
});

afterAll(async () => {
  holder.close();
  await once(holder, "close");
});

const tenant = { AUTHACTION_ISSUER: "http://127.0.0.1:9", AUTHACTION_AUDIENCE: "a" };

describe("the api's entry point on a port in use", () => {
  it.each([
    ["PORT", "and the port", (port: string) => ({ PORT: port })],
    [
      "METRICS_PORT",
      "when the metrics port is the one in use",
      (port: string) => ({ PORT: "0", METRICS_HOST: "127.0.0.1", METRICS_PORT: port }),
    ],
  ] as const)("exits 1 with one line naming %s %s", async (variable, _when, env) => {
    const { code, stdout, stderr } = await runEntryPoint({
      ...tenant,
      HOST: "127.0.0.1",
      ...env(String(taken)),
    });
    expect(code).toBe(1);
    expect(stdout).not.toContain('"event":"listening"');
    expect(stderr).toBe(
      `api: configuration error: ${variable}: port ${taken} on 127.0.0.1 is already in use: stop what listens there or set ${variable} to a free port\n`,
    );
  });
});
