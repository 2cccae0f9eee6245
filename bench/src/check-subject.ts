import { isDeepStrictEqual } from "node:util";
import { type BenchCredentials, tamperSignature, withUnknownKid } from "./bench-issuer.ts";
import { proofSigner } from "./dpop-proofs.ts";
import { expectedBody, routeName } from "./routes.ts";
import type { SubjectProcess } from "./subject-process.ts";

/** A subject answered wrongly: measuring it would be worthless, so the benchmark stops. */
export class BrokenSubjectError extends Error {
  override readonly name = "BrokenSubjectError";
}

/**
 * Before any load: every route answers 200 with the expected JSON (with its credentials), and, where
 * the subject checks tokens, every protected route refuses what the spec says it refuses: 401
 * without a token, with a token whose signature was altered, and (unless noted) with a token whose
 * kid is unknown; on a DPoP route, 401 (unless noted) without a proof and with a proof sent again.
 */
export async function checkSubject(subject: SubjectProcess, credentials: BenchCredentials) {
  const { spec } = subject;
  const { token, key } = credentials.dpop;
  const bearerToken = credentials.token;
  const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });
  const problems: string[] = [];
  for (const route of spec.routes) {
    const url = `${subject.url}${route.path}`;
    const sent = route.dpop
      ? { authorization: `DPoP ${token}`, dpop: proofSigner(key, "GET", url, token)() }
      : bearer(bearerToken);
    const ok = await get(url, sent);
    const expected = expectedBody(route, credentials.sub);
    if (ok.status !== 200 || !isDeepStrictEqual(ok.body, expected)) {
      problems.push(
        `GET ${routeName(route)}: expected 200 JSON ${JSON.stringify(expected)}, got ${ok.status} ${ok.contentType} ${ok.text}`,
      );
    }
    if (route.access !== "protected" || !spec.checksTokens) continue;
    const refusals: [string, Record<string, string>, number][] = route.dpop
      ? [
          ["without a proof", { authorization: sent.authorization }, spec.noProofStatus ?? 401],
          ["with a replayed proof", sent, spec.replayedProofStatus ?? 401],
        ]
      : [
          ["without a token", {}, 401],
          ["with a tampered token", bearer(tamperSignature(bearerToken)), 401],
          [
            "with an unknown kid",
            bearer(withUnknownKid(bearerToken)),
            spec.unknownKidStatus ?? 401,
          ],
        ];
    for (const [what, headers, status] of refusals) {
      const refused = await get(url, headers);
      if (refused.status !== status) {
        problems.push(
          `GET ${routeName(route)} ${what}: expected ${status}, got ${refused.status} ${refused.text}`,
        );
      }
    }
  }
  if (problems.length > 0) {
    throw new BrokenSubjectError(`${spec.label} is broken:\n  ${problems.join("\n  ")}`);
  }
}

async function get(url: string, headers: Record<string, string>) {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  const contentType = response.headers.get("content-type") ?? "";
  const body: unknown = contentType.startsWith("application/json") ? JSON.parse(text) : undefined;
  return { status: response.status, text: text.slice(0, 300), body, contentType };
}
