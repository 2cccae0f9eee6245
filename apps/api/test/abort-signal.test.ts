import { connect } from "node:net";
import { publicProcedure, router } from "@repo/api-router";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningApi, startApi } from "../src/index.ts";

// A procedure learns that its client went away: tRPC passes an abort signal that fires when the
// connection closes before the answer, on the fast path as through the official adapter.
const started: string[] = [];
const aborted: string[] = [];
let release: () => void = () => {};

const testRouter = router({
  wait: publicProcedure.query(
    ({ signal, path }) =>
      new Promise<{ done: boolean }>((resolve) => {
        const id = `${path}-${started.length}`;
        started.push(id);
        signal?.addEventListener("abort", () => {
          aborted.push(id);
          resolve({ done: false });
        });
        release = () => resolve({ done: true });
      }),
  ),
});

const apis: RunningApi[] = [];
beforeAll(async () => {
  const verifier = {
    issuer: "http://127.0.0.1:1",
    audience: "a",
    jwksUri: "http://127.0.0.1:1/jwks",
  };
  for (const fastPath of [true, false]) {
    apis.push(
      await startApi({
        verifier,
        log: pino({ level: "silent" }),
        host: "127.0.0.1",
        router: testRouter,
        fastPath,
      }),
    );
  }
});
afterAll(async () => {
  release();
  await Promise.all(apis.map((api) => api.close()));
});

describe("the abort signal", () => {
  for (const [index, name] of ["fast path", "official adapter"].entries()) {
    it(`reaches a running procedure when the client disconnects (${name})`, async () => {
      const api = apis[index] as RunningApi;
      const url = new URL(api.url);
      const before = { started: started.length, aborted: aborted.length };
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write("GET /trpc/wait HTTP/1.1\r\nhost: localhost\r\n\r\n");
      });
      socket.on("error", () => {});
      await expect.poll(() => started.length).toBe(before.started + 1);
      expect(aborted.length).toBe(before.aborted);
      socket.destroy();
      await expect.poll(() => aborted.length).toBe(before.aborted + 1);
    });
  }
});
