import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchIssuer, startBenchIssuer } from "../src/bench-issuer.ts";
import { checkSubject } from "../src/check-subject.ts";
import { measureSample } from "../src/measure-sample.ts";
import { ROUTES } from "../src/routes.ts";
import { SUBJECTS, subjectSpec } from "../src/subject-catalog.ts";
import { startSubject } from "../src/subject-process.ts";

describe("startSubject", () => {
  let bench: BenchIssuer;
  beforeAll(async () => {
    bench = await startBenchIssuer();
  });
  afterAll(async () => {
    await bench?.issuer.close();
  });

  it("runs the api's real entry point, which answers the checks, reads its CPU time under load, and takes a fresh proof per request on the DPoP route", async () => {
    const api = await startSubject(subjectSpec("api"), { env: bench.subjectEnv });
    try {
      expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await checkSubject(api, bench);
      const before = api.cpuSeconds();
      const sample = await measureSample(api, ROUTES.trpcProtected, {
        connections: 4,
        durationS: 0.5,
        warmupS: 0,
        credentials: bench,
      });
      expect(api.cpuSeconds()).toBeGreaterThan(before);
      expect(sample.rps).toBeGreaterThan(0);
      expect(sample.cpuUs).toBeGreaterThan(0);
      expect(sample.cpuPercent).toBeGreaterThan(0);
      // The api refuses a replayed proof (its check above), and any refusal under load throws.
      const dpop = { connections: 4, durationS: 0.5, warmupS: 0.2, credentials: bench };
      expect((await measureSample(api, ROUTES.restDpop, dpop)).rps).toBeGreaterThan(0);
    } finally {
      await api.stop();
    }
    // Stopped means gone: signalling the pid fails.
    expect(() => process.kill(api.pid, 0)).toThrow();
  });

  it("names the subject and why when it exits before listening", async () => {
    const broken = { ...subjectSpec("bare-http"), id: "broken", entry: "bench/no-such-file.ts" };
    await expect(startSubject(broken, { env: bench.subjectEnv })).rejects.toThrow(
      /^subject broken exited with 1 before it was ready: .*no-such-file/s,
    );
  });

  it("gives a subject none of this process's variables but PATH", async () => {
    const spec = subjectSpec("bare-http");
    // bare-http needs BENCH_TOKEN_SUB: without it, it must stop at once, naming it.
    const { BENCH_TOKEN_SUB: _, ...env } = bench.subjectEnv;
    process.env.BENCH_TOKEN_SUB = "leaked";
    try {
      await expect(startSubject(spec, { env })).rejects.toThrow(
        /^subject bare-http exited with 1 before it was ready: subject: configuration error: BENCH_TOKEN_SUB/,
      );
    } finally {
      delete process.env.BENCH_TOKEN_SUB;
    }
  });

  it.each(SUBJECTS.filter((spec) => spec.id !== "api").map((spec) => [spec.id, spec] as const))(
    "starts %s on a port the OS picks, found from the listening line it prints, and it passes the checks",
    async (_id, spec) => {
      const subject = await startSubject(spec, { env: bench.subjectEnv });
      try {
        expect(subject.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        await checkSubject(subject, bench);
      } finally {
        await subject.stop();
      }
    },
  );
});
