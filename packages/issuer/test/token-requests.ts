// Shared by the tests: token requests in each encoding the endpoint accepts.
export interface TokenParams {
  grant_type?: string;
  client_id?: string;
  client_secret?: string;
  audience?: string;
}

export const DEMO_PARAMS = {
  grant_type: "client_credentials",
  client_id: "demo-client",
  client_secret: "demo-secret",
  audience: "https://api.example.com",
} satisfies TokenParams;

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export function postForm(
  url: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(params).toString(),
  });
}

/** RFC 6749 §2.3.1: each part form-urlencoded before base64. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (text: string) => encodeURIComponent(text).replaceAll("%20", "+");
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString("base64")}`;
}
