import { KeyObject } from "node:crypto";
import { z } from "zod";
import { type Clock, type Fetch, globalFetch, systemClock } from "../clock.ts";
import type { DpopSigner } from "../dpop/dpop-signer.ts";
import { CLIENT_ASSERTION_ALGORITHMS, type ClientPrivateKey } from "./client-private-key.ts";

/** How failed token requests are retried. Only 408, 429, 5xx and network errors are retried. */
export interface TokenRetryOptions {
  /** Requests in all, the first included. Default 4. */
  readonly maxAttempts?: number;
  /** Ceiling of the first backoff delay; doubles per attempt (full jitter). Default 200 ms. */
  readonly baseDelayMs?: number;
  /** Ceiling of any computed backoff delay. Default 5000 ms. */
  readonly maxDelayMs?: number;
  /** Time budget for one `getToken()` across all its attempts and waits. Default 30 000 ms. */
  readonly deadlineMs?: number;
}

/**
 * How the client authenticates at the token endpoint: `client_secret_post` (the secret in the
 * body, RFC 6749 §2.3.1, what AuthAction documents), `client_secret_basic` (the secret in HTTP
 * Basic) or `private_key_jwt` (an assertion signed with the client's key, RFC 7523 §2.2).
 */
export type ClientAuthMethod = "client_secret_post" | "client_secret_basic" | "private_key_jwt";

/** Options of `createClientCredentialsTokenSource`. */
export interface ClientCredentialsOptions {
  /** The token endpoint, e.g. `https://tenant.eu.authaction.com/oauth2/m2m/token`. */
  readonly tokenUrl: string | URL;
  readonly clientId: string;
  /** Default `client_secret_post`. */
  readonly clientAuthMethod?: ClientAuthMethod;
  /** Required with the secret methods; refused with `private_key_jwt`. */
  readonly clientSecret?: string;
  /** Required with `private_key_jwt` (see `parseClientPrivateKey`); refused with the others. */
  readonly clientPrivateKey?: ClientPrivateKey;
  /**
   * `aud` of client assertions: the authorization server's issuer identifier (RFC 7523 §3).
   * Default: the token URL (which many servers also accept).
   */
  readonly assertionAudience?: string;
  /** The API identifier the token is for (AuthAction requires it). */
  readonly audience: string;
  /**
   * `json`: AuthAction's M2M request, a JSON body (the default with `client_secret_post`).
   * `form`: RFC 6749 §4.4.2, an `application/x-www-form-urlencoded` body (the default with the
   * other methods, as RFC 7523 and most servers expect). Both send the same fields.
   */
  readonly format?: "json" | "form";
  /**
   * Request DPoP-bound tokens (RFC 9449): every token request, each retry included, carries a
   * fresh proof by this signer, a `use_dpop_nonce` answer is retried once with the server's
   * nonce, and the answer must say `token_type: DPoP`. Default: none (Bearer tokens).
   */
  readonly dpop?: DpopSigner;
  /** Space-separated scopes to request (RFC 6749 §3.3). Default: none, the server decides. */
  readonly scope?: string;
  /**
   * Fetch a new token this long before the current one expires. Default 60 s. The margin used
   * is at most half the token's lifetime, so a token that lives 2 s is refreshed after 1 s
   * rather than never being usable.
   */
  readonly refreshMarginSeconds?: number;
  /** Time limit of each token request, body included. Default 10 000 ms. */
  readonly requestTimeoutMs?: number;
  readonly retry?: TokenRetryOptions;
  /**
   * A token response body over this many bytes is an invalid response (the stream is cut there,
   * so an endless body costs this much memory at most). Default 65 536 (64 KiB).
   */
  readonly maxResponseBytes?: number;
  /** Time for expiry, retry waits and timeouts. Default: the system clock. */
  readonly clock?: Clock;
  /** How token requests are sent. Default: the global fetch. */
  readonly fetch?: Fetch;
}

/** Bounds and defaults of the token source's byte limit, written once. */
export const TOKEN_SOURCE_BOUNDS = {
  /** A token response is a few KiB at most (a JWT, its type, lifetime and scope). */
  maxResponseBytes: { min: 1024, max: 16 * 1024 * 1024, default: 64 * 1024 },
} as const;

/** How the client authenticates, with what it needs for that. */
export type ResolvedClientAuthentication =
  | {
      readonly method: "client_secret_post" | "client_secret_basic";
      readonly clientSecret: string;
    }
  | {
      readonly method: "private_key_jwt";
      readonly privateKey: ClientPrivateKey;
      readonly assertionAudience: string;
    };

/** The options with their defaults applied, checked once at creation. */
export interface ResolvedClientCredentialsOptions {
  readonly tokenUrl: URL;
  readonly clientId: string;
  readonly authentication: ResolvedClientAuthentication;
  /** What a server could echo that must not be printed: the client secret, when there is one. */
  readonly secrets: readonly string[];
  readonly audience: string;
  readonly format: "json" | "form";
  readonly dpop: DpopSigner | undefined;
  readonly scope: string | undefined;
  readonly refreshMarginMs: number;
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly deadlineMs: number;
  readonly maxResponseBytes: number;
  readonly clock: Clock;
  readonly fetch: Fetch;
}

const nonEmpty = z.string().trim().min(1, "must be a non-empty string");
const positiveMs = z.number().int().positive("must be a positive number of milliseconds");

const optionsSchema = z.object({
  tokenUrl: z.union([z.string(), z.instanceof(URL)]).transform((value, ctx) => {
    const url = URL.canParse(String(value)) ? new URL(value) : undefined;
    if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) {
      ctx.addIssue({ code: "custom", message: "must be an absolute http(s) URL" });
      return z.NEVER;
    }
    // fetch refuses such URLs and error messages would print them (RFC 3986 §3.2.1 deprecates
    // credentials in URLs); the client authenticates with clientId/clientSecret instead.
    if (url.username !== "" || url.password !== "") {
      ctx.addIssue({ code: "custom", message: "must not contain user:password@" });
      return z.NEVER;
    }
    return url;
  }),
  clientId: nonEmpty,
  clientAuthMethod: z
    .enum(["client_secret_post", "client_secret_basic", "private_key_jwt"])
    .default("client_secret_post"),
  clientSecret: nonEmpty.optional(),
  assertionAudience: nonEmpty.optional(),
  audience: nonEmpty,
  format: z.enum(["json", "form"]).optional(),
  scope: z.string().trim().min(1).optional(),
  refreshMarginSeconds: z.number().min(0).finite().default(60),
  requestTimeoutMs: positiveMs.default(10_000),
  maxResponseBytes: z
    .number()
    .int()
    .min(TOKEN_SOURCE_BOUNDS.maxResponseBytes.min)
    .max(TOKEN_SOURCE_BOUNDS.maxResponseBytes.max)
    .default(TOKEN_SOURCE_BOUNDS.maxResponseBytes.default),
  retry: z
    .object({
      maxAttempts: z.number().int().min(1).max(100).default(4),
      baseDelayMs: z.number().int().min(0).default(200),
      maxDelayMs: z.number().int().min(0).default(5_000),
      deadlineMs: positiveMs.default(30_000),
    })
    .default({ maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000, deadlineMs: 30_000 }),
});

/**
 * Apply defaults and check the options once, so a typo fails at start-up rather than at the
 * first request.
 *
 * @throws TypeError naming the option (never its value: it may be the secret).
 */
export function resolveClientCredentialsOptions(
  options: ClientCredentialsOptions,
): ResolvedClientCredentialsOptions {
  const { clock, fetch, clientPrivateKey, dpop, ...plain } = options;
  const result = optionsSchema.safeParse(plain);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join(".") || "options";
    throw optionError(path, issue?.message ?? "is invalid");
  }
  const { retry, refreshMarginSeconds, clientAuthMethod, clientSecret, ...rest } = result.data;
  const authentication = resolveAuthentication(clientAuthMethod, {
    clientSecret,
    clientPrivateKey,
    assertionAudience: rest.assertionAudience ?? rest.tokenUrl.href,
  });
  if (dpop !== undefined && typeof dpop.proofFor !== "function") {
    throw optionError("dpop", "must be a DpopSigner (createDpopSigner)");
  }
  return {
    tokenUrl: rest.tokenUrl,
    clientId: rest.clientId,
    authentication,
    secrets: clientSecret === undefined ? [] : [clientSecret],
    audience: rest.audience,
    // AuthAction's JSON body goes with its documented method; RFC 7523 and Basic with a form.
    format: rest.format ?? (clientAuthMethod === "client_secret_post" ? "json" : "form"),
    dpop,
    scope: rest.scope,
    refreshMarginMs: refreshMarginSeconds * 1000,
    requestTimeoutMs: rest.requestTimeoutMs,
    maxResponseBytes: rest.maxResponseBytes,
    ...retry,
    clock: clock ?? systemClock,
    fetch: fetch ?? globalFetch,
  };
}

function resolveAuthentication(
  method: ClientAuthMethod,
  given: {
    readonly clientSecret: string | undefined;
    readonly clientPrivateKey: ClientPrivateKey | undefined;
    readonly assertionAudience: string;
  },
): ResolvedClientAuthentication {
  if (method === "private_key_jwt") {
    // A secret beside the key would be a second credential to leak, and never sent.
    if (given.clientSecret !== undefined) {
      throw optionError("clientSecret", "must not be set with private_key_jwt");
    }
    if (!isClientPrivateKey(given.clientPrivateKey)) {
      throw optionError(
        "clientPrivateKey",
        "is required with private_key_jwt (parseClientPrivateKey)",
      );
    }
    return {
      method,
      privateKey: given.clientPrivateKey,
      assertionAudience: given.assertionAudience,
    };
  }
  if (given.clientPrivateKey !== undefined) {
    throw optionError("clientPrivateKey", `must not be set with ${method}`);
  }
  if (given.clientSecret === undefined) {
    throw optionError("clientSecret", `is required with ${method}`);
  }
  return { method, clientSecret: given.clientSecret };
}

function isClientPrivateKey(value: unknown): value is ClientPrivateKey {
  const key = value as Partial<ClientPrivateKey> | undefined;
  return (
    key?.key instanceof KeyObject &&
    key.key.type === "private" &&
    (CLIENT_ASSERTION_ALGORITHMS as readonly unknown[]).includes(key.algorithm)
  );
}

function optionError(path: string, message: string): TypeError {
  return new TypeError(`createClientCredentialsTokenSource: ${path}: ${message}`);
}
