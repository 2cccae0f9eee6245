import { z } from "zod";
import { AuthError } from "../errors.ts";
import { sanitizeServerText } from "./sanitize-server-text.ts";

/** The token types this client uses: Bearer (RFC 6750) or DPoP (RFC 9449). */
export type TokenType = "Bearer" | "DPoP";

/** A successful token response (RFC 6749 §5.1), reduced to what a client uses. */
export interface TokenResponse {
  readonly accessToken: string;
  readonly tokenType: TokenType;
  readonly expiresInSeconds: number;
  readonly scope: string | undefined;
}

// Some servers send expires_in as a string ("3600"); only plain decimals are accepted, so
// `true`, `null` or "" cannot turn into a number the way z.coerce would let them.
const DECIMAL = /^\d+(\.\d+)?$/;

/** The lifetimes accepted in `expires_in`: 1 s to 1 year (365 days). */
export const MIN_EXPIRES_IN_SECONDS = 1;
export const MAX_EXPIRES_IN_SECONDS = 31_536_000;
const EXPIRES_IN_RANGE = `expires_in is outside ${MIN_EXPIRES_IN_SECONDS} s to ${MAX_EXPIRES_IN_SECONDS} s (1 year)`;

const tokenResponseSchema = (expected: TokenType) =>
  z.object({
    access_token: z
      .string({
        error: (issue) =>
          issue.input === undefined ? "access_token is missing" : "access_token is not a string",
      })
      .min(1, "access_token is empty"),
    // RFC 6749 §5.1 makes token_type REQUIRED, yet some servers leave it out. Without DPoP a
    // missing type is read as Bearer and any other (DPoP, N_A, mac) refused, since sending it as a
    // bearer token would not be accepted. With DPoP only DPoP is accepted (RFC 9449 §5): a Bearer
    // answer means the server ignored the proof, and using that token would quietly drop the
    // binding the client was configured for.
    token_type: z
      .string({ error: "token_type is not a string" })
      .optional()
      .refine(
        (type) =>
          type === undefined
            ? expected === "Bearer"
            : type.toLowerCase() === expected.toLowerCase(),
        {
          error: (issue) =>
            issue.input === undefined
              ? `token_type is missing, expected "${expected}"`
              : `token_type is "${sanitizeServerText(String(issue.input), 40)}", expected "${expected}"${expected === "DPoP" ? " (the token endpoint did not bind the token to the DPoP key)" : ""}`,
        },
      ),
    expires_in: z
      .union([z.number(), z.string().trim().regex(DECIMAL).transform(Number)], {
        error: (issue) =>
          issue.input === undefined
            ? "expires_in is missing"
            : "expires_in is not a number of seconds",
      })
      // Outside 1 s .. 1 year the value is a server bug or an attack, not a lifetime: 0 or less would
      // refetch on every call, 1e20 overflows Date (an Invalid Date that kills the caller later).
      .pipe(
        z
          .number()
          .min(MIN_EXPIRES_IN_SECONDS, EXPIRES_IN_RANGE)
          .max(MAX_EXPIRES_IN_SECONDS, EXPIRES_IN_RANGE),
      ),
    scope: z.string().optional().catch(undefined),
  });

/**
 * Read the body of a 2xx token response. Without `expires_in` the client could not know when to
 * refresh (RFC 6749 §5.1 only RECOMMENDS it), so it is required here.
 *
 * @throws AuthError `invalid_token_response`, naming what is missing or wrong (never the token).
 */
export function parseTokenResponse(
  body: string,
  status: number,
  expectedType: TokenType = "Bearer",
): TokenResponse {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (cause) {
    throw new AuthError(
      "invalid_token_response",
      `token endpoint answered ${status} with a body that is not JSON`,
      { status, cause },
    );
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new AuthError(
      "invalid_token_response",
      `token endpoint answered ${status} with JSON that is not an object`,
      { status },
    );
  }
  const result = tokenResponseSchema(expectedType).safeParse(json);
  if (!result.success) {
    const problems = [...new Set(result.error.issues.map((issue) => issue.message))];
    throw new AuthError(
      "invalid_token_response",
      `token endpoint answered ${status} without a usable token: ${problems.join("; ")}`,
      { status },
    );
  }
  return {
    accessToken: result.data.access_token,
    tokenType: expectedType,
    expiresInSeconds: result.data.expires_in,
    scope: result.data.scope,
  };
}
