/** One Dockerfile instruction: its keyword (upper case) and the rest of the line, joined. */
export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

export interface Stage {
  /** The FROM image, e.g. node:24-slim. */
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

/**
 * The stages of a Dockerfile: comments and blank lines dropped, backslash continuations joined.
 * Enough for the files this repository writes (no heredocs, no parser directives).
 */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(pending + line);
    pending = "";
  }
  const stages: Array<{ image: string; name: string | undefined; instructions: Instruction[] }> =
    [];
  for (const line of logical) {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (match === null) continue;
    const keyword = (match[1] ?? "").toUpperCase();
    const args = match[2] ?? "";
    if (keyword === "FROM") {
      const [image = "", as, name] = args.split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === "AS" ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword, args });
    }
  }
  return stages;
}

/** The arguments of an instruction with keyword `keyword` (all of them, in order). */
export function argsOf(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** `ENV A=1 B=2` lines as a record (the `KEY=value` form only). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of argsOf(stage, "ENV")) {
    for (const pair of args.split(/\s+/)) {
      const eq = pair.indexOf("=");
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}
