import { z } from "zod";
import { OAuthError } from "./oauth-error.ts";

// RFC 6749 §4.4.2 plus AuthAction's `audience` and RFC 7521's client assertion parameters. Unknown parameters pass through and are ignored,
// as §3.2 requires; grant_type is checked separately so a wrong value gets its own error code.
const tokenRequestSchema = z.object({
  grant_type: z.string().min(1),
  client_id: z.string().min(1).optional(),
  client_secret: z.string().min(1).optional(),
  // RFC 7521 §4.2 / RFC 7523 §2.2: private_key_jwt.
  client_assertion_type: z.string().min(1).optional(),
  client_assertion: z.string().min(1).optional(),
  audience: z.string().min(1),
});

export type TokenRequest = z.infer<typeof tokenRequestSchema>;

/** Parses a token request body given its Content-Type; throws OAuthError invalid_request. */
export function parseTokenRequest(contentType: string | undefined, body: string): TokenRequest {
  const raw = parseParameters(mediaType(contentType), body);
  const result = tokenRequestSchema.safeParse(raw);
  if (result.success) return result.data;
  const name = String(result.error.issues[0]?.path[0] ?? "body");
  throw new OAuthError(
    "invalid_request",
    raw[name] === undefined
      ? `missing required parameter ${name}`
      : `parameter ${name} must be a non-empty string`,
  );
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

function parseParameters(type: string, body: string): Record<string, unknown> {
  if (type === "application/x-www-form-urlencoded") return parseForm(body);
  if (type === "application/json") return parseJsonObject(body);
  throw new OAuthError(
    "invalid_request",
    "Content-Type must be application/json or application/x-www-form-urlencoded",
  );
}

function parseForm(body: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    // RFC 6749 §3.2: parameters must not be repeated; taking either value would be a guess.
    if (Object.hasOwn(params, name)) {
      throw new OAuthError("invalid_request", `parameter ${name} is repeated`);
    }
    params[name] = value;
  }
  return params;
}

function parseJsonObject(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new OAuthError("invalid_request", "body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new OAuthError("invalid_request", "body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}
