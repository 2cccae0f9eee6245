import { describe, expect, it } from "vitest";
import { API_BOUNDS, apiConfigFromEnv } from "../src/config.ts";

// The HTTP edge's variables: defaults, bounds, and the orders between timeouts.
const base = { AUTHACTION_DOMAIN: "t.example.com", AUTHACTION_AUDIENCE: "a" };

describe("HTTP limits and shutdown timing from the environment", () => {
  it("defaults: batch 10, target 8 KiB, headers 16 KiB, keep-alive 65 s, headers 66 s, request 66 s, shutdown delay 0, timeout 10 s", () => {
    const config = apiConfigFromEnv(base);
    expect(config.http).toEqual({
      maxBatchSize: 10,
      maxUrlBytes: 8_192,
      maxHeaderBytes: 16_384,
      keepAliveTimeoutMs: 65_000,
      headersTimeoutMs: 66_000,
      requestTimeoutMs: 66_000,
    });
    expect(config.shutdown).toEqual({ delayMs: 0, timeoutMs: 10_000 });
  });

  it("reads every variable", () => {
    const config = apiConfigFromEnv({
      ...base,
      API_MAX_BATCH_SIZE: "3",
      API_MAX_URL_BYTES: "4096",
      API_MAX_HEADER_BYTES: "8192",
      API_KEEP_ALIVE_TIMEOUT_MS: "75000",
      API_HEADERS_TIMEOUT_MS: "76000",
      API_REQUEST_TIMEOUT_MS: "90000",
      API_SHUTDOWN_DELAY_MS: "5000",
      API_SHUTDOWN_TIMEOUT_MS: "20000",
    });
    expect(config.http).toEqual({
      maxBatchSize: 3,
      maxUrlBytes: 4_096,
      maxHeaderBytes: 8_192,
      keepAliveTimeoutMs: 75_000,
      headersTimeoutMs: 76_000,
      requestTimeoutMs: 90_000,
    });
    expect(config.shutdown).toEqual({ delayMs: 5_000, timeoutMs: 20_000 });
  });

  it.each([
    ["API_MAX_BATCH_SIZE", "0"],
    ["API_MAX_BATCH_SIZE", String(API_BOUNDS.maxBatchSize.max + 1)],
    ["API_MAX_URL_BYTES", "10"],
    ["API_MAX_HEADER_BYTES", "100"],
    ["API_KEEP_ALIVE_TIMEOUT_MS", "soon"],
    ["API_SHUTDOWN_DELAY_MS", "-1"],
    ["API_SHUTDOWN_TIMEOUT_MS", "0"],
  ])("refuses %s=%s, naming it", (variable, value) => {
    expect(() => apiConfigFromEnv({ ...base, [variable]: value })).toThrow(
      new RegExp(`^${variable}: `),
    );
  });

  it("refuses a headers timeout at or under the keep-alive timeout", () => {
    expect(() => apiConfigFromEnv({ ...base, API_KEEP_ALIVE_TIMEOUT_MS: "66000" })).toThrow(
      /^API_HEADERS_TIMEOUT_MS: must be above API_KEEP_ALIVE_TIMEOUT_MS \(66000\)/,
    );
  });

  it("refuses a request timeout under the headers timeout (Node refuses that order too)", () => {
    expect(() => apiConfigFromEnv({ ...base, API_REQUEST_TIMEOUT_MS: "30000" })).toThrow(
      /^API_REQUEST_TIMEOUT_MS: must be at least API_HEADERS_TIMEOUT_MS \(66000\)/,
    );
  });
});
