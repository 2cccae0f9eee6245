import { ASYMMETRIC_ALGORITHMS } from "@repo/auth/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiConfigFromEnv } from "../src/index.ts";
import { send } from "./support/http-exchange.ts";
import {
  type ApiUnderTest,
  type Stack,
  spawnApi,
  startApiFromEnv,
  startStack,
} from "./support/start-stack.ts";

const PATH = "/.well-known/oauth-protected-resource";
const TENANT = {
  AUTHACTION_ISSUER: "http://127.0.0.1:9",
  AUTHACTION_AUDIENCE: "https://api.example.com",
};

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

describe("RFC 9728 protected resource metadata", () => {
  it("GET /.well-known/oauth-protected-resource names the audience, issuer, scopes, header bearer and the DPoP proof algorithms", async () => {
    const res = await send(stack.api.url, PATH);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(res.json).toEqual({
      resource: stack.issuer.audience,
      authorization_servers: [stack.issuer.issuer],
      scopes_supported: ["read:messages", "read:secret", "write:messages"],
      bearer_methods_supported: ["header"],
      dpop_signing_alg_values_supported: [...ASYMMETRIC_ALGORITHMS],
    });
  });

  it("answers other methods 405", async () => {
    const res = await send(stack.api.url, PATH, { method: "POST" });
    expect(res.status).toBe(405);
  });

  it("every challenge names it: 401 and 403 on tRPC, 401 on REST", async () => {
    const param = `resource_metadata="${stack.api.url}${PATH}"`;
    expect(stack.api.resourceMetadataUrl).toBe(`${stack.api.url}${PATH}`);
    const rest = await send(stack.api.url, "/protected");
    const trpc = await send(stack.api.url, "/trpc/protected");
    const forbidden = await send(stack.api.url, "/trpc/secret", {
      authorization: `Bearer ${await stack.token("limited-client")}`,
    });
    expect([rest.status, trpc.status, forbidden.status]).toEqual([401, 401, 403]);
    for (const res of [rest, trpc, forbidden]) {
      expect(res.headers["www-authenticate"]).toMatch(new RegExp(`, ${param}$`));
    }
  });
});

describe("RFC 9728 metadata follows AUTHACTION_DPOP (RFC 9449 §5.1)", () => {
  const BASE = {
    resource: TENANT.AUTHACTION_AUDIENCE,
    authorization_servers: [TENANT.AUTHACTION_ISSUER],
    scopes_supported: ["read:messages", "read:secret", "write:messages"],
    bearer_methods_supported: ["header"],
  };
  it.each([
    [
      "required",
      {
        ...BASE,
        dpop_signing_alg_values_supported: [...ASYMMETRIC_ALGORITHMS],
        dpop_bound_access_tokens_required: true,
      },
    ],
    ["allowed", { ...BASE, dpop_signing_alg_values_supported: [...ASYMMETRIC_ALGORITHMS] }],
    ["disabled", BASE],
  ])("AUTHACTION_DPOP=%s answers exactly these fields", async (mode, expected) => {
    const api = await startApiFromEnv({ ...TENANT, AUTHACTION_DPOP: mode });
    try {
      const res = await send(api.url, PATH);
      expect(res.status).toBe(200);
      expect(res.json).toEqual(expected);
    } finally {
      await api.close();
    }
  });
});

describe("API_PUBLIC_URL", () => {
  it("defaults to the listening URL and must be an absolute http(s) URL", () => {
    expect(apiConfigFromEnv(TENANT).publicUrl).toBeUndefined();
    expect(
      apiConfigFromEnv({ ...TENANT, API_PUBLIC_URL: "https://api.example.com/v1/" }).publicUrl,
    ).toBe("https://api.example.com/v1");
    expect(() => apiConfigFromEnv({ ...TENANT, API_PUBLIC_URL: "api.example.com" })).toThrow(
      /API_PUBLIC_URL/,
    );
  });

  it.each([
    "https://api.example.com/?x=1",
    "https://api.example.com/v1?",
    "https://api.example.com/#top",
    "https://user:zzpassword@api.example.com",
  ])(
    "refuses %s: paths are appended to it (the metadata URL, DPoP htu), and a query would swallow them",
    (value) => {
      let message = "";
      try {
        apiConfigFromEnv({ ...TENANT, API_PUBLIC_URL: value });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toBe(
        "API_PUBLIC_URL: must be a base URL without user info, query or fragment, e.g. https://api.example.com",
      );
      expect(message).not.toContain("zzpassword");
    },
  );

  it("sets the metadata URL the challenges name (behind a proxy)", async () => {
    let api: ApiUnderTest | undefined;
    try {
      api = await startApiFromEnv({ ...TENANT, API_PUBLIC_URL: "https://gateway.example.com/api" });
      const res = await send(api.url, "/protected");
      expect(res.headers["www-authenticate"]).toBe(
        `Bearer realm="api", resource_metadata="https://gateway.example.com/api${PATH}"`,
      );
    } finally {
      await api?.close();
    }
  });

  it("holds at the real entry point", async () => {
    const api = await spawnApi({ ...TENANT, API_PUBLIC_URL: "https://gateway.example.com" });
    try {
      const res = await send(api.url, "/trpc/protected");
      expect(res.headers["www-authenticate"]).toBe(
        `Bearer realm="api", resource_metadata="https://gateway.example.com${PATH}"`,
      );
    } finally {
      await api.close();
    }
  });
});

describe("API_MAX_STREAMS_PER_SUBJECT", () => {
  it("defaults to 10 and is bounded", () => {
    expect(apiConfigFromEnv(TENANT).maxStreamsPerSubject).toBe(10);
    expect(
      apiConfigFromEnv({ ...TENANT, API_MAX_STREAMS_PER_SUBJECT: "2" }).maxStreamsPerSubject,
    ).toBe(2);
    for (const bad of ["0", "-1", "ten", "100000"]) {
      expect(() => apiConfigFromEnv({ ...TENANT, API_MAX_STREAMS_PER_SUBJECT: bad })).toThrow(
        /API_MAX_STREAMS_PER_SUBJECT/,
      );
    }
  });
});
