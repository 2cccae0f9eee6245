import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchIssuer, startBenchIssuer } from "../src/bench-issuer.ts";
import { BrokenSubjectError, checkSubject } from "../src/check-subject.ts";
import { ROUTES } from "../src/routes.ts";
import { subjectSpec } from "../src/subject-catalog.ts";
import { type SubjectProcess, startSubject } from "../src/subject-process.ts";

// Every subject passing its checks is in subject-process.test.ts; here, checks that must fail.
describe("checkSubject on a DPoP route", () => {
  let bench: BenchIssuer;
  let express: SubjectProcess;
  beforeAll(async () => {
    bench = await startBenchIssuer();
    express = await startSubject(subjectSpec("express-peer"), { env: bench.subjectEnv });
  });
  afterAll(async () => {
    await express?.stop();
    await bench?.issuer.close();
  });

  it("stops a subject that accepts a replayed proof or answers a proof-less request other than 401", async () => {
    // express-oauth2-jwt-bearer answers 400 without a proof and keeps no jti: held to the default.
    const spec = {
      ...subjectSpec("express-peer"),
      noProofStatus: undefined,
      replayedProofStatus: undefined,
    };
    const check = checkSubject({ ...express, spec }, bench);
    await expect(check).rejects.toThrow(BrokenSubjectError);
    await expect(check).rejects.toThrow(/\(DPoP\) without a proof: expected 401, got 400 /);
    await expect(check).rejects.toThrow(/\(DPoP\) with a replayed proof: expected 401, got 200 /);
  });

  it("stops a subject whose DPoP route refuses what it should accept", async () => {
    // A valid proof with a token not bound to its key: refused (RFC 9449 §6), where 200 was expected.
    const unbound = { ...bench, dpop: { ...bench.dpop, token: bench.token } };
    const spec = { ...subjectSpec("express-peer"), routes: [ROUTES.restDpop] };
    await expect(checkSubject({ ...express, spec }, unbound)).rejects.toThrow(
      /GET \/protected \(DPoP\): expected 200 JSON .*, got 401/,
    );
  });
});
