import { DEFAULT_CLIENTS } from "@repo/issuer";

/**
 * A real access token from the issuer's token endpoint (client_credentials, as a client of the api
 * would get it), so every subject is measured with what production traffic carries.
 */
export async function fetchAccessToken(tokenUrl: string, audience: string): Promise<string> {
  const client = DEFAULT_CLIENTS[0];
  if (client === undefined) throw new Error("the issuer has no default client");
  const response = await fetch(tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      audience,
      grant_type: "client_credentials",
    }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { access_token?: unknown };
  if (response.status !== 200 || typeof body.access_token !== "string") {
    throw new Error(`token endpoint answered ${response.status}: ${JSON.stringify(body)}`);
  }
  return body.access_token;
}

/** The token's `sub` claim, read without verifying (the subjects do that). */
export function tokenSubject(jwt: string): string {
  const payload = JSON.parse(
    Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8"),
  ) as {
    sub?: unknown;
  };
  if (typeof payload.sub !== "string") throw new Error("token has no sub claim");
  return payload.sub;
}

/** The same token with one signature character changed: well formed, but its signature is wrong. */
export function tamperSignature(jwt: string): string {
  const signatureStart = jwt.lastIndexOf(".") + 1;
  const at = signatureStart + 10;
  const replacement = jwt[at] === "A" ? "B" : "A";
  return `${jwt.slice(0, at)}${replacement}${jwt.slice(at + 1)}`;
}

/** The same token with a `kid` no JWKS holds: the key lookup fails before any signature check. */
export function withUnknownKid(jwt: string): string {
  const [header = "", ...rest] = jwt.split(".");
  const decoded = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as object;
  const changed = Buffer.from(JSON.stringify({ ...decoded, kid: "bench-unknown-kid" })).toString(
    "base64url",
  );
  return [changed, ...rest].join(".");
}
