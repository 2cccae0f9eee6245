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
  it("exits 1 with one line naming PORT and the port", async () => {
    const { code, stdout, stderr } = await runEntryPoint({
      ...tenant,
      HOST: "127.0.0.1",
      PORT: String(taken),
    });
    expect(code).toBe(1);
    expect(stdout).not.toContain('"event":"listening"');
    expect(stderr).toBe(
      `api: configuration error: PORT: port ${taken} on 127.0.0.1 is already in use: stop what listens there or set PORT to a free port\n`,
    );
  });

  it("exits 1 with one line naming METRICS_PORT when the metrics port is the one in use", async () => {
    const { code, stdout, stderr } = await runEntryPoint({
      ...tenant,
      HOST: "127.0.0.1",
      PORT: "0",
      METRICS_HOST: "127.0.0.1",
      METRICS_PORT: String(taken),
    });
    expect(code).toBe(1);
    expect(stdout).not.toContain('"event":"listening"');
    expect(stderr).toBe(
      `api: configuration error: METRICS_PORT: port ${taken} on 127.0.0.1 is already in use: stop what listens there or set METRICS_PORT to a free port\n`,
    );
  });
});
