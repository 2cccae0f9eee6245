import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { abbaOrder, blockRatio, runAbbaBlocks } from "../src/abba-blocks.ts";
import { type BenchIssuer, startBenchIssuer } from "../src/bench-issuer.ts";
import type { Sample } from "../src/measure-sample.ts";
import { ROUTES } from "../src/routes.ts";
import { subjectSpec } from "../src/subject-catalog.ts";
import { type SubjectProcess, startSubject } from "../src/subject-process.ts";

describe("abbaOrder", () => {
  it("takes A B B A, then B A A B, alternating from block to block", () => {
    expect([0, 1, 2, 3].map((i) => abbaOrder(i).join(""))).toEqual([
      "abba",
      "baab",
      "abba",
      "baab",
    ]);
  });

  it("gives each side two slices per block and both the same mean position", () => {
    for (const index of [0, 1]) {
      const order = abbaOrder(index);
      const positions = (side: string) => order.flatMap((s, i) => (s === side ? [i] : []));
      expect(positions("a")).toHaveLength(2);
      expect(positions("a").reduce((x, y) => x + y)).toBe(positions("b").reduce((x, y) => x + y));
    }
  });
});

describe("blockRatio", () => {
  it("is A's summed requests/s over B's", () => {
    const s = (rps: number): Sample => ({
      rps,
      p50: 1,
      p99: 1,
      errors: 0,
      cpuPercent: 99,
      cpuUs: 1,
    });
    expect(blockRatio({ a: [s(300), s(100)], b: [s(100), s(100)] })).toBe(2);
  });
});

// The real thing on a small scale: the ceiling subject in its own process, loaded by autocannon.
describe("runAbbaBlocks", () => {
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

  it("measures the two sides in ABBA order, each slice with its own CPU reading", async () => {
    // One process seen as two sides, so that the CPU readings tell which side each slice was.
    const order: string[] = [];
    const side = (name: string): SubjectProcess => ({
      ...bare,
      cpuSeconds: () => {
        order.push(name);
        return bare.cpuSeconds();
      },
    });
    const seen: string[] = [];
    const blocks = await runAbbaBlocks(
      { subject: side("A"), route: ROUTES.restPublic },
      { subject: side("B"), route: ROUTES.restProtected },
      {
        connections: 2,
        sliceS: 0.2,
        blocks: 2,
        token: bench.token,
        onBlock: (index, block) => seen.push(`${index}: ${block.a.length} a, ${block.b.length} b`),
      },
    );
    // Two readings around each slice.
    expect(order.join("")).toBe("AABBBBAA" + "BBAAAABB");
    expect(seen).toEqual(["0: 2 a, 2 b", "1: 2 a, 2 b"]);
    for (const sample of blocks.flatMap((b) => [...b.a, ...b.b])) {
      expect(sample.rps).toBeGreaterThan(0);
      expect(sample.cpuPercent).toBeGreaterThanOrEqual(0);
    }
  });
});
