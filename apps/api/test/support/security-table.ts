import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCase, ENDPOINTS } from "./check-case.ts";
import { send } from "./http-exchange.ts";
import { CASES } from "./security-cases.ts";
import { createFixture, type Fixture, type StackKind, stackEnv } from "./security-fixture.ts";
import type { ApiUnderTest } from "./start-stack.ts";

const KINDS = ["default", "tenant", "at+jwt"] as const satisfies readonly StackKind[];

export interface SecurityTableSuite {
  /** The fixture (issuer, tenant, trap, keys); set once `beforeAll` has run. */
  fixture(): Fixture;
  /** The api of a stack kind; set once `beforeAll` has run. */
  api(kind: StackKind): ApiUnderTest;
}

/**
 * Every row of the security table as its own test, on both endpoints (/trpc/protected and REST
 * /protected) of one api per stack kind, each api configured from environment variables only and
 * started by `start` (in this process, or the real entry point). The apis start once, in
 * `beforeAll`, and their key sets are loaded there, so every row meets the same warm state
 * whichever rows ran before it (or none: `-t` or a shuffled order run any row alone).
 *
 * Each row proves, on its own: the status, challenge, body and single refusal log line
 * (check-case.ts), that the trap server a `jku`/`x5u` header names was never asked anything, and
 * that neither its token nor its signature reached the logs.
 */
export function describeSecurityTable(
  start: (env: Record<string, string>) => Promise<ApiUnderTest>,
): SecurityTableSuite {
  let f: Fixture | undefined;
  const apis = new Map<StackKind, ApiUnderTest>();

  beforeAll(async () => {
    f = await createFixture();
    const fixture = f;
    const started = await Promise.allSettled(KINDS.map((kind) => start(stackEnv(kind, fixture))));
    for (const [i, kind] of KINDS.entries()) {
      const result = started[i];
      if (result?.status === "fulfilled") apis.set(kind, result.value);
    }
    const failure = started.find((result) => result.status === "rejected");
    if (failure !== undefined) throw failure.reason;
    await Promise.all(KINDS.map((kind) => warm(kind, fixture)));
    // Spawning three entry points on a loaded machine can take a while; the rows themselves cannot.
  }, 60_000);

  afterAll(async () => {
    // A spawned api must exit 0 on its one SIGTERM: close() rejects otherwise, failing the suite.
    const closed = await Promise.allSettled([...apis.values()].map((api) => api.close()));
    await f?.close();
    const failure = closed.find((result) => result.status === "rejected");
    if (failure !== undefined) throw failure.reason;
  });

  const suite: SecurityTableSuite = {
    fixture() {
      if (f === undefined) throw new Error("the fixture starts in beforeAll");
      return f;
    },
    api(kind) {
      const api = apis.get(kind);
      if (api === undefined) throw new Error(`the ${kind} api did not start`);
      return api;
    },
  };

  /** One accepted request, so that the key set is loaded before any row runs. */
  async function warm(kind: StackKind, fixture: Fixture): Promise<void> {
    const accepted = CASES.find((row) => row.stack === kind && row.expected.status === 200);
    if (accepted === undefined) throw new Error(`no accepted row for the ${kind} stack`);
    const sent = await accepted.build(fixture);
    const res = await send(suite.api(kind).url, "/protected", {
      ...(sent.authorization === undefined ? {} : { authorization: sent.authorization }),
    });
    expect(res.status, `warming the ${kind} api`).toBe(200);
  }

  it("has at least 40 rows, uniquely named, covering every stack", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((row) => row.name)).size).toBe(CASES.length);
    expect(new Set(CASES.map((row) => row.stack))).toEqual(new Set(KINDS));
  });

  describe.each(CASES.map((row) => [row.name, row] as const))("%s", (_name, row) => {
    it.each(ENDPOINTS)(
      `answers ${row.expected.status} ${row.expected.reason ?? ""} on %s`,
      async (endpoint) => {
        const fixture = suite.fixture();
        const api = suite.api(row.stack);
        const sent = await row.build(fixture);
        const trapBefore = fixture.trap.hits();
        await checkCase(api, row, sent, endpoint);
        expect(fixture.trap.paths().slice(trapBefore), "fetched a URL the token named").toEqual([]);
        const raw = api.rawLogs();
        for (const secret of sent.secrets) expect(raw.includes(secret), "token logged").toBe(false);
      },
    );
  });

  it("answers 200 to a token from the issuer's real token endpoint on both endpoints", async () => {
    const fixture = suite.fixture();
    const response = await fetch(fixture.issuer.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_id: "demo-client",
        client_secret: "demo-secret",
        audience: fixture.issuer.audience,
        grant_type: "client_credentials",
      }),
    });
    const { access_token: token } = (await response.json()) as { access_token: string };
    for (const endpoint of ENDPOINTS) {
      const res = await send(suite.api("default").url, endpoint, {
        authorization: `Bearer ${token}`,
      });
      expect(res.status, endpoint).toBe(200);
    }
  });

  return suite;
}
