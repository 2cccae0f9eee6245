import { type LocalIssuer, startLocalIssuer } from "@repo/issuer";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type ClientCredentialsOptions,
  createClientCredentialsTokenSource,
} from "../src/client.ts";
import { ManualClock } from "../src/testing.ts";
import { authErrorOf } from "./support/auth-error-of.ts";

let issuer: LocalIssuer;

beforeAll(async () => {
  issuer = await startLocalIssuer();
});
afterAll(async () => {
  await issuer.close();
});
beforeEach(() => {
  issuer.resetRequestCounts();
  issuer.setTokenLifetime(86_400);
  issuer.failTokenRequests({ status: 503, count: 0 });
});

/** Options for the issuer's demo client, with fast retries so failure paths stay quick. */
function demoOptions(overrides: Partial<ClientCredentialsOptions> = {}): ClientCredentialsOptions {
  return {
    tokenUrl: issuer.tokenUrl,
    clientId: "demo-client",
    clientSecret: "demo-secret",
    audience: issuer.audience,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    ...overrides,
  };
}

describe("client credentials token source against the local issuer", () => {
  it("obtains a token with AuthAction's JSON request by default", async () => {
    const source = createClientCredentialsTokenSource(demoOptions());
    const info = await source.getTokenInfo();
    const claims = decodeJwt(info.accessToken);
    expect(claims.sub).toBe("demo-client@clients");
    expect(claims.aud).toBe(issuer.audience);
    // AuthAction's lifetime (86400 s) is honoured as sent.
    expect(info.expiresAt.getTime()).toBeGreaterThan(Date.now() + 86_000_000);
    expect(issuer.requestCounts().token).toBe(1);
  });

  it("obtains a token with the RFC 6749 §4.4 form request", async () => {
    const source = createClientCredentialsTokenSource(demoOptions({ format: "form" }));
    const claims = decodeJwt(await source.getToken());
    expect(claims.client_id).toBe("demo-client");
    expect(issuer.requestCounts().token).toBe(1);
  });

  it("serves the cached token to a second call without another request", async () => {
    const source = createClientCredentialsTokenSource(demoOptions());
    const first = await source.getToken();
    const second = await source.getToken();
    expect(second).toBe(first);
    expect(issuer.requestCounts().token).toBe(1);
  });

  it("shares one in-flight request among a burst of 50 concurrent callers", async () => {
    const source = createClientCredentialsTokenSource(demoOptions());
    const tokens = await Promise.all(Array.from({ length: 50 }, () => source.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(issuer.requestCounts().token).toBe(1);
  });

  it("refreshes a 2 s token after 1 s (margin capped at half the lifetime), never handing out an expiring one", async () => {
    issuer.setTokenLifetime(2);
    const clock = new ManualClock();
    const source = createClientCredentialsTokenSource(
      demoOptions({ refreshMarginSeconds: 60, clock }),
    );
    const first = await source.getTokenInfo();
    expect(first.expiresAt.getTime()).toBe(clock.now() + 2000);
    // Still more than the effective 1 s margin away from expiry: served from the cache.
    clock.advance(999);
    expect((await source.getTokenInfo()).accessToken).toBe(first.accessToken);
    expect(issuer.requestCounts().token).toBe(1);

    clock.advance(1);
    const second = await source.getTokenInfo();
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.expiresAt.getTime()).toBeGreaterThan(first.expiresAt.getTime());
    expect(issuer.requestCounts().token).toBe(2);
  });

  it("waits out a 429 with Retry-After: 1 (longer than maxDelayMs) and then succeeds", async () => {
    issuer.failTokenRequests({ status: 429, count: 1, retryAfterSeconds: 1 });
    const clock = new ManualClock();
    const source = createClientCredentialsTokenSource(demoOptions({ clock }));
    const token = source.getToken();
    await vi.waitFor(() => expect(clock.pending().map((t) => t.delayMs)).toContain(1000));
    expect(issuer.requestCounts().token).toBe(1);
    clock.advance(1000);
    expect(decodeJwt(await token).sub).toBe("demo-client@clients");
    expect(issuer.requestCounts().token).toBe(2);
  });

  it("gives up at once when Retry-After points past the deadline", async () => {
    issuer.failTokenRequests({ status: 429, count: 1, retryAfterSeconds: 120 });
    const source = createClientCredentialsTokenSource(demoOptions());
    const error = await authErrorOf(source.getToken());
    expect(error.code).toBe("token_endpoint_unavailable");
    expect(error.status).toBe(429);
    expect(error.oauthError).toBe("slow_down");
    expect(error.message).toContain("asked to retry after 120 s");
    expect(issuer.requestCounts().token).toBe(1);
  });

  it("retries 503 answers and succeeds on the third attempt", async () => {
    issuer.failTokenRequests({ status: 503, count: 2 });
    const source = createClientCredentialsTokenSource(demoOptions());
    expect(decodeJwt(await source.getToken()).sub).toBe("demo-client@clients");
    expect(issuer.requestCounts().token).toBe(3);
  });

  it("fails with token_endpoint_unavailable after maxAttempts of 500", async () => {
    issuer.failTokenRequests({ status: 500, count: 10 });
    const source = createClientCredentialsTokenSource(
      demoOptions({ retry: { maxAttempts: 3, baseDelayMs: 1 } }),
    );
    const error = await authErrorOf(source.getToken());
    expect(error.code).toBe("token_endpoint_unavailable");
    expect(error.status).toBe(500);
    expect(error.oauthError).toBe("temporarily_unavailable");
    expect(error.message).toBe(
      `token endpoint ${issuer.tokenUrl} unavailable: answered 500 temporarily_unavailable (the issuer is unavailable, retry later) (3 attempts)`,
    );
    expect(issuer.requestCounts().token).toBe(3);
  });

  it("stops retrying 500s at the total deadline", async () => {
    // Its own issuer: had the deadline cut an attempt short, the server could count it after the
    // next test reset the shared issuer's counters. Time is a ManualClock: each answer takes 30
    // ms of it and each retry wait is fired by hand, so the outcome does not depend on load.
    const own = await startLocalIssuer();
    try {
      own.failTokenRequests({ status: 500, count: 1000 });
      const clock = new ManualClock();
      let inFlight = false;
      const answersIn30ms: typeof fetch = async (input, init) => {
        inFlight = true;
        try {
          const response = await fetch(input, init);
          const body = await response.arrayBuffer();
          clock.advance(30);
          const { status, statusText, headers } = response;
          return new Response(body, { status, statusText, headers });
        } finally {
          inFlight = false;
        }
      };
      const source = createClientCredentialsTokenSource(
        demoOptions({
          tokenUrl: own.tokenUrl,
          audience: own.audience,
          retry: { maxAttempts: 100, baseDelayMs: 10, maxDelayMs: 20, deadlineMs: 200 },
          clock,
          fetch: answersIn30ms,
        }),
      );
      let settled = false;
      const pending = authErrorOf(source.getToken()).finally(() => {
        settled = true;
      });
      while (!settled) {
        await vi.waitFor(
          () => expect(settled || (!inFlight && clock.pending().length > 0)).toBe(true),
          { timeout: 10_000 },
        );
        const next = clock.pending()[0];
        if (!settled && next !== undefined) clock.advance(next.dueInMs);
      }
      const error = await pending;
      expect(error.code).toBe("token_endpoint_unavailable");
      expect(error.status).toBe(500);
      expect(error.message).toContain("200 ms deadline");
      // 30 ms per answer within 200 ms: at least two attempts, at most seven.
      expect(own.requestCounts().token).toBeGreaterThan(1);
      expect(own.requestCounts().token).toBeLessThanOrEqual(7);
    } finally {
      await own.close();
    }
  });

  it("does not retry invalid_client, and never puts the secret in the message", async () => {
    const secret = "wrong-secret-0123456789";
    const source = createClientCredentialsTokenSource(demoOptions({ clientSecret: secret }));
    const error = await authErrorOf(source.getToken());
    expect(error.code).toBe("token_request_refused");
    expect(error.oauthError).toBe("invalid_client");
    expect(error.status).toBe(401);
    expect(error.message).toBe(
      "token endpoint refused the request: invalid_client (unknown client or wrong secret)",
    );
    expect(error.message).not.toContain(secret);
    expect(issuer.requestCounts().token).toBe(1);
  });

  it("refuses an audience the issuer does not serve with invalid_request, not retried", async () => {
    const source = createClientCredentialsTokenSource(demoOptions({ audience: "https://other" }));
    const error = await authErrorOf(source.getToken());
    expect(error.code).toBe("token_request_refused");
    expect(error.oauthError).toBe("invalid_request");
    expect(error.status).toBe(400);
    expect(issuer.requestCounts().token).toBe(1);
  });

  it("does not cache a failure: all concurrent callers share it, the next call asks again", async () => {
    issuer.failTokenRequests({ status: 503, count: 1 });
    const source = createClientCredentialsTokenSource(demoOptions({ retry: { maxAttempts: 1 } }));
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => source.getToken()));
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(issuer.requestCounts().token).toBe(1);
    expect(decodeJwt(await source.getToken()).sub).toBe("demo-client@clients");
    expect(issuer.requestCounts().token).toBe(2);
  });
});

describe("invalidate", () => {
  it("drops the cached token only when given that token", async () => {
    const source = createClientCredentialsTokenSource(demoOptions());
    const first = await source.getToken();
    source.invalidate("some-older-token");
    expect(await source.getToken()).toBe(first);
    expect(issuer.requestCounts().token).toBe(1);

    source.invalidate(first);
    const second = await source.getToken();
    expect(second).not.toBe(first);
    expect(issuer.requestCounts().token).toBe(2);

    // A late 401 for the old token must not throw away the new one.
    source.invalidate(first);
    expect(await source.getToken()).toBe(second);
    expect(issuer.requestCounts().token).toBe(2);
  });

  it("turns 10 concurrent 401s for the same token into one refetch", async () => {
    const source = createClientCredentialsTokenSource(demoOptions());
    const rejected = await source.getToken();
    const tokens = await Promise.all(
      Array.from({ length: 10 }, async () => {
        source.invalidate(rejected);
        return source.getToken();
      }),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(rejected);
    expect(issuer.requestCounts().token).toBe(2);
  });

  it("without an argument, drops whatever token is cached", async () => {
    const source = createClientCredentialsTokenSource(demoOptions());
    const first = await source.getToken();
    source.invalidate();
    expect(await source.getToken()).not.toBe(first);
    expect(issuer.requestCounts().token).toBe(2);
  });
});
