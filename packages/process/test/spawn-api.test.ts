import { describe, expect, it } from "vitest";
import { listeningAddress, spawnApi } from "../src/index.ts";

describe("spawnApi", () => {
  it("starts the api's real entry point and finds its URL in the listening line", async () => {
    const api = await spawnApi({
      AUTHACTION_ISSUER: "http://127.0.0.1:9",
      AUTHACTION_AUDIENCE: "https://api.example.com",
    });
    try {
      expect(api.ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${api.ready.url}/public`);
      expect(await response.json()).toEqual({ message: "This is a public message!" });
    } finally {
      expect(await api.stop()).toBe(0);
    }
  });

  it("reads the listening line only once it is whole", () => {
    const line = JSON.stringify({ event: "listening", url: "http://127.0.0.1:1" });
    expect(listeningAddress(line.slice(0, 20))).toBeUndefined();
    expect(listeningAddress(`{"event":"other"}\n${line}\n`)).toEqual({
      url: "http://127.0.0.1:1",
      metricsUrl: undefined,
    });
  });
});
