/**
 * file:// URL of the repository root (this file is bench/src/cpu-profile.ts): repo files are named
 * from there, whatever the checkout's own directory is called.
 */
const REPO_ROOT_URL = new URL("../../", import.meta.url).href;

/** The parts of a V8 .cpuprofile (node --cpu-prof) this reads. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
    };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  /** Function name, "(anonymous)" or a V8 pseudo-frame such as "(garbage collector)". */
  readonly name: string;
  /** Short location: repo-relative path or package name, and 1-based line. */
  readonly where: string;
  readonly ms: number;
  /** Share of the busy (non-idle) time. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly busyMs: number;
  readonly idleMs: number;
  /** Every function seen, by self time, largest first. */
  readonly functions: readonly SelfTime[];
  /** Self time grouped by package or file area (node internals, tRPC, jose, this repo...). */
  readonly areas: readonly {
    readonly area: string;
    readonly ms: number;
    readonly percent: number;
  }[];
}

/** Self time per function (V8 attributes each sample's interval to the frame on top). */
export function summarizeCpuProfile(json: string): ProfileSummary {
  const profile = JSON.parse(json) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time since the previous sample: attribute it to the previous frame.
    const id = profile.samples[i > 0 ? i - 1 : 0] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const functions = new Map<string, { name: string; where: string; area: string; us: number }>();
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    if (frame.functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    const name = frame.functionName === "" ? "(anonymous)" : frame.functionName;
    const location = shortLocation(frame.url);
    const where = location === "" ? "" : `${location}:${frame.lineNumber + 1}`;
    const key = `${name} ${where}`;
    const entry = functions.get(key) ?? { name, where, area: areaOf(frame.url, name), us: 0 };
    entry.us += us;
    functions.set(key, entry);
  }
  const busyUs = [...functions.values()].reduce((sum, f) => sum + f.us, 0);
  const percent = (us: number) => (busyUs === 0 ? 0 : (100 * us) / busyUs);
  const areas = new Map<string, number>();
  for (const f of functions.values()) areas.set(f.area, (areas.get(f.area) ?? 0) + f.us);
  return {
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .map((f) => ({ name: f.name, where: f.where, ms: f.us / 1000, percent: percent(f.us) })),
    areas: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([area, us]) => ({ area, ms: us / 1000, percent: percent(us) })),
  };
}

/** "node:internal/http..." stays; a dependency becomes its package; repo files lose the prefix. */
function shortLocation(url: string): string {
  if (url === "") return "";
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (pnpm !== null) return `${pnpm[1]}/${pnpm[2]}`;
  if (url.startsWith(REPO_ROOT_URL)) return url.slice(REPO_ROOT_URL.length);
  return url.replace(/^file:\/\//, "");
}

function areaOf(url: string, name: string): string {
  if (url === "") return name.startsWith("(") ? name : "native / V8 builtins";
  if (url.startsWith("node:")) {
    if (/http|_http|net|stream|tcp/.test(url)) return "node http / net / streams";
    return "node (other internals)";
  }
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pnpm !== null) return pnpm[1] as string;
  if (url.startsWith(REPO_ROOT_URL)) {
    const repo = /^(apps\/[^/]+|packages\/[^/]+|bench)\//.exec(url.slice(REPO_ROOT_URL.length));
    if (repo !== null) return repo[1] as string;
  }
  return "other";
}
