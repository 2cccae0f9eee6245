import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchIssuer, startBenchIssuer } from "../src/bench-issuer.ts";
import type { Sample } from "../src/measure-sample.ts";
import { ROUTES } from "../src/routes.ts";
import { subjectSpec } from "../src/subject-catalog.ts";
import { type SubjectProcess, startSubject } from "../src/subject-process.ts";
import {
  type AbbaBlock,
  abbaOrder,
  blockRatio,
  describeTarget,
  judge,
  runAbbaBlocks,
  summarizeTarget,
  TARGETS,
  type Target,
} from "../src/targets.ts";

function slice(rps: number, cpuPercent = 99): Sample {
  return { rps, p50: 1, p99: 3, errors: 0, cpuPercent, cpuUs: 1e6 / rps };
}

/** A block whose A slices answer `a` req/s and B slices `b` req/s. */
function block(a: [number, number], b: [number, number], cpu = { a: 99, b: 99 }): AbbaBlock {
  return { a: a.map((rps) => slice(rps, cpu.a)), b: b.map((rps) => slice(rps, cpu.b)) };
}

const target: Target = {
  a: { subject: "api", route: ROUTES.trpcProtected },
  b: { subject: "fastify-tuned", route: ROUTES.restProtected },
  atLeast: 1.2,
};

describe("judge", () => {
  it("passes or misses on the ratio when both sides were saturated", () => {
    expect(judge(1.2, 1.2, true, true)).toBe("pass");
    expect(judge(1.19, 1.2, true, true)).toBe("miss");
  });

  it("keeps a pass when only A was unsaturated: A could only have answered more", () => {
    expect(judge(1.5, 1.2, false, true)).toBe("pass");
    expect(judge(1.0, 1.2, false, true)).toBe("not judged");
  });

  it("keeps a miss when only B was unsaturated: B could only have answered more", () => {
    expect(judge(1.0, 1.2, true, false)).toBe("miss");
    expect(judge(1.5, 1.2, true, false)).toBe("not judged");
  });

  it("judges nothing when neither side was saturated", () => {
    expect(judge(1.5, 1.2, false, false)).toBe("not judged");
    expect(judge(0.5, 1.2, false, false)).toBe("not judged");
  });
});

describe("summarizeTarget", () => {
  it("rests on the median of the blocks' ratios, each block's sides summed", () => {
    const blocks = [
      block([30_000, 32_000], [20_000, 20_000]), // 1.55
      block([10_000, 14_000], [20_000, 20_000]), // 0.60, a slow minute on A's side
      block([26_000, 26_000], [20_000, 20_000]), // 1.30
    ];
    const result = summarizeTarget(target, blocks);
    expect(result.ratios).toEqual([1.55, 0.6, 1.3]);
    expect(result.ratio).toBe(1.3);
    expect(result.verdict).toBe("pass");
  });

  it("withholds the verdict when the median CPU use of the side that could change it is under 90%", () => {
    const idleB = { a: 99, b: 70 };
    const blocks = [block([25_000, 25_000], [20_000, 20_000], idleB)];
    const result = summarizeTarget(target, blocks);
    expect(result.ratio).toBe(1.25);
    expect(result.bCpuPercent).toBe(70);
    expect(result.verdict).toBe("not judged");
  });

  it("takes each side's CPU use as the median over all its slices", () => {
    const blocks = [
      block([20_000, 20_000], [20_000, 20_000], { a: 95, b: 99 }),
      block([20_000, 20_000], [20_000, 20_000], { a: 80, b: 99 }),
      block([20_000, 20_000], [20_000, 20_000], { a: 96, b: 99 }),
    ];
    const result = summarizeTarget(target, blocks);
    expect(result.aCpuPercent).toBe(95);
    // 1.0 < 1.2 with A saturated: a miss stands.
    expect(result.verdict).toBe("miss");
  });

  it("refuses a target without blocks", () => {
    expect(() => summarizeTarget(target, [])).toThrow(RangeError);
  });
});

describe("TARGETS", () => {
  it("name routes their subjects serve", () => {
    for (const t of TARGETS) {
      for (const end of [t.a, t.b]) {
        expect(subjectSpec(end.subject).routes, describeTarget(t)).toContain(end.route);
      }
    }
  });

  it("describe themselves with both routes and the factor", () => {
    expect(describeTarget(target)).toBe(
      "this api /trpc/protected ≥ 1.2 × Fastify + jwt, tuned /protected",
    );
  });

  it("hold the api's DPoP route to twice Auth0's express-oauth2-jwt-bearer on the same route (issue 22)", () => {
    expect(TARGETS.map(describeTarget)).toContain(
      "this api /protected (DPoP) ≥ 2 × Express + oauth2-jwt-bearer /protected (DPoP)",
    );
  });
});

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
        credentials: bench,
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
