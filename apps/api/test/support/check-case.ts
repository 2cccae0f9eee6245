import { expect } from "vitest";
import { send } from "./http-exchange.ts";
import { withMetadata } from "./resource-metadata.ts";
import { type SecurityCase, type Sent, TRPC_CODE } from "./security-cases.ts";
import { SUBJECT } from "./security-fixture.ts";
import type { ApiUnderTest } from "./start-stack.ts";

/** The two faces of the protected procedure every row runs against. */
export const ENDPOINTS = ["/trpc/protected", "/protected"] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/** The procedure the marker request is refused on: a protected one no row calls. */
const MARKER_PATH = "secret";

const refusals = (logs: Array<Record<string, unknown>>) =>
  logs.filter((line) => line.event === "auth_refused");

/**
 * Send one row's request to one endpoint and assert everything a refusal must be (RFC 6750 §3):
 * status, the exact challenge, the stable code in the body (tRPC `data.code`/`data.reason`, REST `error`),
 * the safe description, exactly one structured refusal log line with the reason and kid (and sub
 * and client_id only once the signature verified), and the token nowhere in body or logs.
 */
export async function checkCase(
  api: ApiUnderTest,
  row: SecurityCase,
  sent: Sent,
  endpoint: Endpoint,
): Promise<void> {
  const { expected } = row;
  const before = refusals(api.logs).length;
  const res = await send(api.url, `${endpoint}${sent.query ?? ""}`, {
    ...(sent.authorization === undefined ? {} : { authorization: sent.authorization }),
  });
  const where = `${row.name} on ${endpoint}`;

  expect(res.status, where).toBe(expected.status);
  expect(res.headers["www-authenticate"], where).toBe(
    expected.challenge === undefined ? undefined : withMetadata(expected.challenge, api.url),
  );
  if (expected.status === 200) {
    const data = { message: "This is a protected message!", sub: SUBJECT };
    expect(res.json, where).toEqual(endpoint === "/protected" ? data : { result: { data } });
  } else if (endpoint === "/protected") {
    expect(res.json, where).toEqual({ error: expected.reason, message: expected.description });
  } else {
    expect(res.json, where).toEqual({
      error: {
        message: expected.description,
        code: expect.any(Number),
        data: {
          code: TRPC_CODE[expected.status],
          httpStatus: expected.status,
          path: "protected",
          reason: expected.reason,
        },
      },
    });
  }
  for (const secret of sent.secrets) expect(res.text, where).not.toContain(secret);

  const wanted = expected.status === 200 ? 0 : 1;
  await api.waitForLogs(
    (logs) => refusals(logs).length >= before + wanted,
    `${wanted} refusal log line(s) for ${where}`,
  );
  // Then a marker: a request refused on another procedure. Refusal lines are written in order, each
  // as its response closes, so once the marker's line is in, a duplicate of the row's would be too.
  const marker = await send(api.url, `/trpc/${MARKER_PATH}`);
  expect(marker.status, `the marker after ${where}`).toBe(401);
  await api.waitForLogs(
    (logs) =>
      refusals(logs)
        .slice(before)
        .some((line) => line.path === MARKER_PATH),
    `the marker's refusal line after ${where}`,
  );
  const sinceBefore = refusals(api.logs).slice(before);
  const lines = sinceBefore.slice(
    0,
    sinceBefore.findIndex((line) => line.path === MARKER_PATH),
  );
  expect(lines, where).toHaveLength(wanted);
  const line = lines[0];
  if (line !== undefined) {
    expect(line.reason, where).toBe(expected.reason);
    expect(line.path, where).toBe("protected");
    expect(line.kid, `${where}: logged kid`).toBe(sent.kid);
    expect(line.sub, `${where}: logged sub`).toBe(expected.logged?.sub);
    expect(line.clientId, `${where}: logged clientId`).toBe(expected.logged?.clientId);
  }
}
