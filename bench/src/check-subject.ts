import { isDeepStrictEqual } from "node:util";
import { tamperSignature, withUnknownKid } from "./bench-issuer.ts";
import { expectedBody } from "./routes.ts";
import type { SubjectProcess } from "./subject-process.ts";

/** A subject answered wrongly: measuring it would be worthless, so the benchmark stops. */
export class BrokenSubjectError extends Error {
  override readonly name = "BrokenSubjectError";
}

/**
 * Before any load: every route answers 200 with the expected JSON (with the token), and, where the
 * subject checks tokens, every protected route answers 401 without a token and with a token whose
 * signature was altered, and its spec's status (401 unless noted) to a token whose kid is unknown.
 */
export async function checkSubject(
  subject: SubjectProcess,
  token: string,
  sub: string,
): Promise<void> {
  const { spec, url } = subject;
  const problems: string[] = [];
  for (const route of spec.routes) {
    const ok = await get(`${url}${route.path}`, token);
    const expected = expectedBody(route, sub);
    if (ok.status !== 200 || !isDeepStrictEqual(ok.body, expected)) {
      problems.push(
        `GET ${route.path} with the token: expected 200 JSON ${JSON.stringify(expected)}, got ${ok.status} ${ok.contentType} ${ok.text}`,
      );
    }
    if (route.access !== "protected" || !spec.checksTokens) continue;
    for (const [what, authorization, status] of [
      ["without a token", undefined, 401],
      ["with a tampered token", tamperSignature(token), 401],
      ["with an unknown kid", withUnknownKid(token), spec.unknownKidStatus ?? 401],
    ] as const) {
      const refused = await get(`${url}${route.path}`, authorization);
      if (refused.status !== status) {
        problems.push(
          `GET ${route.path} ${what}: expected ${status}, got ${refused.status} ${refused.text}`,
        );
      }
    }
  }
  if (problems.length > 0) {
    throw new BrokenSubjectError(`${spec.label} is broken:\n  ${problems.join("\n  ")}`);
  }
}

async function get(url: string, token: string | undefined) {
  const headers = token === undefined ? undefined : { authorization: `Bearer ${token}` };
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  const contentType = response.headers.get("content-type") ?? "";
  const body: unknown = contentType.startsWith("application/json") ? JSON.parse(text) : undefined;
  return { status: response.status, text: text.slice(0, 300), body, contentType };
}
