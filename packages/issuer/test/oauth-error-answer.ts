import { expect } from "vitest";

/**
 * Asserts an RFC 6749 §5.2 error answer: the status, `Cache-Control: no-store`, the `error` code
 * and an `error_description` matching `description`, printable ASCII without quote or backslash.
 */
export async function expectOAuthError(
  res: Response,
  status: number,
  error: string,
  description?: RegExp,
): Promise<Response> {
  expect(res.status).toBe(status);
  expect(res.headers.get("cache-control")).toBe("no-store");
  const body = (await res.json()) as { error: string; error_description: string };
  expect(body.error).toBe(error);
  expect(body.error_description).toMatch(description ?? /./);
  expect(body.error_description).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/);
  return res;
}
