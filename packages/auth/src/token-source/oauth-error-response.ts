import { z } from "zod";
import { sanitizeServerText } from "./sanitize-server-text.ts";

/** An error response of the token endpoint (RFC 6749 §5.2). */
export interface OAuthErrorResponse {
  /** The error code (`invalid_client`, `invalid_grant`, ...), made printable. */
  readonly error: string;
  /** `error_description`, made printable and cut to 200 characters, if any. */
  readonly description: string | undefined;
}

const oauthErrorSchema = z.object({
  error: z.string().min(1),
  error_description: z.string().optional().catch(undefined),
});

/**
 * Read an RFC 6749 §5.2 error body, or `undefined` when the body is not one (an HTML error
 * page, a proxy's text). Both fields come from the server: they are sanitized here, and each of
 * `secrets` (the client secret, should a server echo it) is redacted in every encoding.
 */
export function parseOAuthErrorResponse(
  body: string,
  secrets: readonly string[],
): OAuthErrorResponse | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const result = oauthErrorSchema.safeParse(json);
  if (!result.success) return undefined;
  const clean = (text: string, max: number) => sanitizeServerText(text, max, secrets);
  const description = result.data.error_description;
  return {
    error: clean(result.data.error, 64),
    description:
      description === undefined || description.trim() === "" ? undefined : clean(description, 200),
  };
}
