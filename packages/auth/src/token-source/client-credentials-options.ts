import { z } from "zod";
import { type Clock, type Fetch, globalFetch, systemClock } from "../clock.ts";

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

/** Options of `createClientCredentialsTokenSource`. */
export interface ClientCredentialsOptions {
  /** The token endpoint, e.g. `https://tenant.eu.authaction.com/oauth2/m2m/token`. */
  readonly tokenUrl: string | URL;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The API identifier the token is for (AuthAction requires it). */
  readonly audience: string;
  /**
   * `json` (default): AuthAction's M2M request, a JSON body. `form`: RFC 6749 §4.4.2, an
   * `application/x-www-form-urlencoded` body with the client authenticated in the body
   * (`client_secret_post`, RFC 6749 §2.3.1). Both send the same fields.
   */
  readonly format?: "json" | "form";
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

/** The options with their defaults applied, checked once at creation. */
export interface ResolvedClientCredentialsOptions {
  readonly tokenUrl: URL;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly audience: string;
  readonly format: "json" | "form";
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
  clientSecret: nonEmpty,
  audience: nonEmpty,
  format: z.enum(["json", "form"]).default("json"),
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
  const { clock, fetch, ...plain } = options;
  const result = optionsSchema.safeParse(plain);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join(".") || "options";
    throw new TypeError(
      `createClientCredentialsTokenSource: ${path}: ${issue?.message ?? "is invalid"}`,
    );
  }
  const { retry, refreshMarginSeconds, ...rest } = result.data;
  return {
    ...rest,
    ...retry,
    scope: rest.scope,
    refreshMarginMs: refreshMarginSeconds * 1000,
    clock: clock ?? systemClock,
    fetch: fetch ?? globalFetch,
  };
}
