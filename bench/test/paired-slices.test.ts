import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchIssuer, startBenchIssuer } from "../src/bench-issuer.ts";
import { type PairSpec, runPairedSlices } from "../src/paired-slices.ts";
import { ROUTES, subjectSpec } from "../src/subject-catalog.ts";
import { type SubjectProcess, startSubject } from "../src/subject-process.ts";

// The real thing on a small scale: the ceiling subject in its own process, loaded by autocannon.
describe("runPairedSlices", () => {
  let bench: BenchIssuer;
  let bare: SubjectProcess;

  beforeAll(async () => {
    bench = await startBenchIssuer();
    bare = await startSubject(subjectSpec("bare-http"), { env: bench.subjectEnv });
  });
  afterAll(async () => {
    await bare?.stop();
    await bench?.issuer.close();
  });

  it("measures both sides of each block twice, A B B A then B A A B, and summarizes them", async () => {
    // One process seen as two subjects, so that the CPU readings tell which side each slice was.
    const order: string[] = [];
    const side = (id: "api" | "bare-http", name: string): SubjectProcess => ({
      ...bare,
      spec: { ...bare.spec, id },
      cpuTime: () => {
        order.push(name);
        return bare.cpuTime();
      },
    });
    const spec: PairSpec = {
      a: { subject: "api", route: ROUTES.restPublic },
      b: { subject: "bare-http", route: ROUTES.restProtected },
    };
    const blocks: string[] = [];
    const [result] = await runPairedSlices([spec], [side("api", "A"), side("bare-http", "B")], {
      connections: 2,
      sliceS: 0.2,
      warmupS: 0,
      blocks: 2,
      token: bench.token,
      onBlock: (_spec, index, block) =>
        blocks.push(`${index}: ${block.a.length} a, ${block.b.length} b`),
    });
    expect(blocks).toEqual(["0: 2 a, 2 b", "1: 2 a, 2 b"]);
    // Two CPU readings around each slice.
    expect(order.join("")).toBe("AABBBBAA" + "BBAAAABB");
    expect(result?.blocks).toHaveLength(2);
    for (const side of result?.blocks.flatMap((b) => [...b.a, ...b.b]) ?? []) {
      expect(side.requests).toBeGreaterThan(0);
      expect(side.cpuUs).toBeGreaterThan(0);
    }
    expect(result?.ratio).toBeGreaterThan(0);
  });

  it("gives a pair its blocksScale times the blocks, and tells onBlock how many it gets", async () => {
    const spec: PairSpec = {
      a: { subject: "bare-http", route: ROUTES.restPublic },
      b: { subject: "bare-http", route: ROUTES.restProtected },
      blocksScale: 2,
    };
    const seen: string[] = [];
    const [result] = await runPairedSlices([spec], [bare], {
      connections: 1,
      sliceS: 0.1,
      warmupS: 0,
      blocks: 1,
      token: bench.token,
      onBlock: (_spec, index, _block, of) => seen.push(`${index + 1}/${of}`),
    });
    expect(seen).toEqual(["1/2", "2/2"]);
    expect(result?.blocks).toHaveLength(2);
  });

  it("refuses a pair whose subject is not running", async () => {
    const spec: PairSpec = {
      a: { subject: "api", route: ROUTES.restPublic },
      b: { subject: "bare-http", route: ROUTES.restPublic },
    };
    await expect(
      runPairedSlices([spec], [bare], {
        connections: 1,
        sliceS: 0.1,
        warmupS: 0,
        blocks: 1,
        token: "t",
      }),
    ).rejects.toThrow("subject api not running");
  });
});
