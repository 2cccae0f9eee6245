import { describe, expect, it } from "vitest";
import { describeListenAddress } from "../src/http/listen-address.ts";
import { spawnApi } from "./support/start-stack.ts";

// Logged addresses tell the truth: a wildcard bind is "all interfaces", never "localhost".
describe("the listening address", () => {
  it("a wildcard IPv4 bind is all interfaces; the url still connects through localhost", () => {
    expect(describeListenAddress({ address: "0.0.0.0", family: "IPv4", port: 3000 })).toEqual({
      url: "http://localhost:3000",
      listeningOn: "all interfaces (0.0.0.0), port 3000",
    });
  });

  it("a wildcard IPv6 bind is all interfaces", () => {
    expect(describeListenAddress({ address: "::", family: "IPv6", port: 8080 })).toEqual({
      url: "http://localhost:8080",
      listeningOn: "all interfaces (::), port 8080",
    });
  });

  it("a specific address is named as it is", () => {
    expect(describeListenAddress({ address: "127.0.0.1", family: "IPv4", port: 1 })).toEqual({
      url: "http://127.0.0.1:1",
      listeningOn: "127.0.0.1:1",
    });
    expect(describeListenAddress({ address: "::1", family: "IPv6", port: 2 })).toEqual({
      url: "http://[::1]:2",
      listeningOn: "[::1]:2",
    });
  });

  it("the real entry point logs where it listens and the limits it applies", async () => {
    const api = await spawnApi({
      AUTHACTION_ISSUER: "http://127.0.0.1:1",
      AUTHACTION_AUDIENCE: "https://api.example.com",
    });
    try {
      const line = api.logs.find((entry) => entry.event === "listening");
      const port = new URL(api.url).port;
      expect(line).toMatchObject({
        listeningOn: `127.0.0.1:${port}`,
        msg: `api listening on 127.0.0.1:${port} (http://127.0.0.1:${port})`,
        limits: {
          maxBatchSize: 10,
          maxUrlBytes: 8192,
          maxHeaderBytes: 16384,
          keepAliveTimeoutMs: 65000,
          headersTimeoutMs: 66000,
          requestTimeoutMs: 66000,
        },
      });
    } finally {
      await api.close();
    }
  });
});
